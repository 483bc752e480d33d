"""The volume backend the ``/volumes`` routes and ``/system/df`` call (blocking,
thread-safe; ``berth.volumes.VolumeService`` implements it)."""

from __future__ import annotations

from typing import Any, Protocol

JSONList = list[dict[str, Any]]
Filters = dict[str, list[str]]

JSON = dict[str, Any]


class VolumeBackend(Protocol):
    def create(self, body: JSON) -> JSON: ...
    def list(self, filters: Filters | None = None) -> JSON: ...
    def inspect(self, name: str) -> JSON: ...
    def remove(self, name: str, force: bool = False) -> None: ...
    def prune(self, filters: Filters | None = None) -> JSON: ...
    def usage(self) -> JSONList: ...
