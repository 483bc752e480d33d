"""Network endpoints (``/networks/...``) as plain methods; the CLI formats their answers."""

from __future__ import annotations

import builtins

from berth._util import fastjson
from berth.client.api import Client, filters_param, path_name

TYPE_CHECKING = False  # typing, collections.abc and json stay off the CLI's start-up
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from typing import Any


class NetworksAPI:
    """Methods for the network endpoints of one client."""

    def __init__(self, client: Client) -> None:
        self.c = client

    def list(self, filters: Mapping[str, Iterable[str]] | None = None
             ) -> builtins.list[dict[str, Any]]:
        """``GET /networks``."""
        return list(self.c.get_json("/networks", {"filters": filters_param(filters)}) or [])

    def inspect_raw(self, ref: str, verbose: bool = False) -> bytes:
        """``GET /networks/{ref}`` as the daemon's bytes (inspect reindents them)."""
        return self.c.get_raw(f"/networks/{path_name(ref)}",
                              {"verbose": "true" if verbose else None})

    def inspect(self, ref: str) -> dict[str, Any]:
        return dict(fastjson.loads(self.inspect_raw(ref)))

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        """``POST /networks/create``; returns ``{"Id", "Warning"}``."""
        resp = self.c.request("POST", "/networks/create", json_body=body)
        return dict(fastjson.loads(resp.read() or b"{}"))

    def remove(self, ref: str) -> None:
        self.c.request("DELETE", f"/networks/{path_name(ref)}").read()

    def connect(self, ref: str, container: str, endpoint: dict[str, Any]) -> None:
        body = {"Container": container, "EndpointConfig": endpoint}
        self.c.request("POST", f"/networks/{path_name(ref)}/connect", json_body=body).read()

    def disconnect(self, ref: str, container: str, force: bool = False) -> None:
        body = {"Container": container, "Force": force}
        self.c.request("POST", f"/networks/{path_name(ref)}/disconnect",
                       json_body=body).read()

    def prune(self, filters: Mapping[str, Iterable[str]] | None = None) -> dict[str, Any]:
        """``POST /networks/prune``."""
        return dict(self.c.call_json("POST", "/networks/prune",
                                     {"filters": filters_param(filters)}) or {})
