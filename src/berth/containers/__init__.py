"""Containers (layer 6): records, spec generation and the lifecycle over monitors.

``ContainerService`` (``service``) is the backend the API calls; ``specgen`` turns a
record into an OCI spec; ``store`` keeps the records; ``exits`` learns exits and applies
restart policies. Design: docs/design/containers.md and containers-service.md.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .service import ContainerService


def __getattr__(name: str) -> object:
    if name == "ContainerService":
        from .service import ContainerService
        return ContainerService
    raise AttributeError(f"module 'berth.containers' has no attribute {name!r}")


__all__ = ["ContainerService"]
