"""Volume endpoints (``/volumes/...``) as plain methods; the CLI formats their answers."""

from __future__ import annotations

import builtins

from berth._util import fastjson
from berth.client.api import Client, filters_param, path_name

TYPE_CHECKING = False  # typing, collections.abc and json stay off the CLI's start-up
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from typing import Any


class VolumesAPI:
    def __init__(self, client: Client) -> None:
        self.client = client

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        """``POST /volumes/create``: ``{Driver, DriverOpts, Labels, Name}``."""
        resp = self.client.request("POST", "/volumes/create", json_body=body)
        return dict(fastjson.loads(resp.read() or b"{}"))

    def list(self, filters: Mapping[str, Iterable[str]] | None = None) -> dict[str, Any]:
        """``GET /volumes``: ``{Volumes, Warnings}``."""
        return dict(self.client.get_json("/volumes", {"filters": filters_param(filters)})
                    or {})

    def inspect_raw(self, name: str) -> bytes:
        """``GET /volumes/{name}`` as the daemon's bytes (inspect reindents them)."""
        return self.client.get_raw(f"/volumes/{path_name(name)}")

    def remove(self, name: str, force: bool = False) -> None:
        """``DELETE /volumes/{name}[?force=1]``."""
        query = {"force": "1" if force else None}
        self.client.request("DELETE", f"/volumes/{path_name(name)}", query).read()

    def prune(self, filters: Mapping[str, Iterable[str]] | None = None) -> dict[str, Any]:
        """``POST /volumes/prune``."""
        return dict(self.client.call_json("POST", "/volumes/prune",
                                          {"filters": filters_param(filters)}) or {})

    def names(self) -> builtins.list[str]:
        return [v["Name"] for v in self.list().get("Volumes") or []]
