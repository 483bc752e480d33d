"""``VolumeDriver``: what the volume service asks of a driver (local or a plugin).

Lifecycle of one volume: ``create`` → (``mount`` per user … ``unmount`` per user)* →
``remove``. The service keeps names, labels, references and mount users; a driver keeps
the data. ``mount`` is called for every user (plugins count their users themselves; the
local driver mounts once); ``unmount`` says whether it is the last user. Drivers raise
``berth.errdefs`` errors whose message is the driver's own (the service adds
``<op> <name>: `` as docker does).
"""

from __future__ import annotations

from typing import Any, Protocol


class VolumeDriver(Protocol):
    name: str

    def scope(self) -> str:
        """``local`` or ``global`` (the driver's Capabilities)."""

    def create(self, name: str, opts: dict[str, str]) -> None: ...

    def remove(self, name: str) -> None: ...

    def mount(self, name: str, ref: str) -> str:
        """Make the volume ready for user ``ref``; the host path to bind."""

    def unmount(self, name: str, ref: str, last: bool) -> None: ...

    def path(self, name: str) -> str:
        """Where the data is (may be empty while a plugin volume is not mounted)."""

    def get(self, name: str) -> dict[str, Any] | None:
        """The driver's view (``Name``, ``Mountpoint``, ``CreatedAt``, ``Status``), or
        None when it has no such volume."""

    def list(self) -> list[dict[str, Any]]:
        """Every volume the driver has, in ``get``'s shape."""
