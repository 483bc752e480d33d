"""System endpoints: version, info, disk usage."""

from __future__ import annotations

from berth.client.api import Client

TYPE_CHECKING = False  # typing, collections.abc and json stay off the CLI's start-up
if TYPE_CHECKING:
    from typing import Any


class SystemAPI:
    """Methods for ``/version``, ``/info`` and ``/system/df``."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def version(self) -> dict[str, Any]:
        """``GET /version``."""
        return dict(self.client.get_json("/version") or {})

    def info(self) -> dict[str, Any]:
        """``GET /info``."""
        return dict(self.client.get_json("/info") or {})

    def df(self, types: list[str] | None = None) -> dict[str, Any]:
        """``GET /system/df`` (optionally only some object types)."""
        query = {"type": types[0]} if types and len(types) == 1 else None
        return dict(self.client.get_json("/system/df", query) or {})
