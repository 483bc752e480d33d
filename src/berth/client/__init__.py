"""berth.client: a small synchronous Engine API client (http.client over unix/tcp).

Usage::

    c = APIClient(resolve_host(None))
    c.images.list(all=True)

Errors are berth.errdefs exceptions; daemon answers are also ``DaemonError``.
"""

from __future__ import annotations

from berth.client.api import CLIENT_API_VERSION, Client, negotiated
from berth.client.errors import DaemonError, is_daemon_error
from berth.client.hosts import DEFAULT_HOST, Endpoint, parse_host, resolve_host

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from berth.client.containers import ContainersAPI
    from berth.client.images import ImagesAPI
    from berth.client.networks import NetworksAPI
    from berth.client.streams import StreamError, iter_json_messages, message_error
    from berth.client.system import SystemAPI
    from berth.client.volumes import VolumesAPI

# name → module, imported on first use: a ``berth ps`` needs one endpoint group, not five
_LAZY = {"ContainersAPI": "containers", "ImagesAPI": "images", "NetworksAPI": "networks",
         "SystemAPI": "system", "VolumesAPI": "volumes", "StreamError": "streams",
         "iter_json_messages": "streams", "message_error": "streams"}
_GROUPS = {"containers": "ContainersAPI", "images": "ImagesAPI", "networks": "NetworksAPI",
           "system": "SystemAPI", "volumes": "VolumesAPI"}


def _load(name: str) -> Any:
    """A lazily exported name, imported from its module (``__import__``: ``importlib``
    itself would add ``warnings`` to the start-up)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(__import__(f"berth.client.{module}", fromlist=[name]), name)
    globals()[name] = value
    return value


def __getattr__(name: str) -> Any:
    return _load(name)


class APIClient(Client):
    """Client with the endpoint groups attached (each made on first use)."""

    containers: ContainersAPI
    images: ImagesAPI
    networks: NetworksAPI
    system: SystemAPI
    volumes: VolumesAPI

    def __getattr__(self, name: str) -> Any:
        cls = _GROUPS.get(name)
        if cls is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        group = _load(cls)(self)
        setattr(self, name, group)
        return group


__all__ = [
    "CLIENT_API_VERSION",
    "DEFAULT_HOST",
    "APIClient",
    "Client",
    "DaemonError",
    "Endpoint",
    "StreamError",
    "is_daemon_error",
    "iter_json_messages",
    "message_error",
    "negotiated",
    "parse_host",
    "resolve_host",
]
