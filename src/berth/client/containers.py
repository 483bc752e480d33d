"""Container and exec endpoints (``/containers/...``, ``/exec/...``) as plain methods.

Calls that stay open while others go on (wait, attach, logs, stats, events) get their
own connection via ``Client.open_stream`` and return the open response.
"""

from __future__ import annotations

import builtins

from berth._util import fastjson
from berth.client.api import Client, filters_param, path_name

TYPE_CHECKING = False  # typing, collections.abc and json stay off the CLI's start-up
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from typing import IO, Any

    from berth.client.transport import Response


def _flag(on: bool) -> str | None:
    return "1" if on else None


class ContainersAPI:
    """Methods for the container endpoints of one client."""

    def __init__(self, client: Client) -> None:
        self.c = client

    def _p(self, ref: str, sub: str = "") -> str:
        return f"/containers/{path_name(ref)}{sub}"

    def create(self, body: dict[str, Any], name: str | None = None,
               platform: str | None = None) -> dict[str, Any]:
        """``POST /containers/create``; returns ``{"Id", "Warnings"}``."""
        q = {"name": name or None, "platform": platform or None}
        resp = self.c.request("POST", "/containers/create", q, json_body=body)
        return dict(_decode(resp.read()) or {})

    def list(self, all: bool = False, limit: int | None = None, size: bool = False,
             filters: Mapping[str, Iterable[str]] | None = None) -> builtins.list[Any]:
        """``GET /containers/json``."""
        q = {"all": _flag(all), "limit": str(limit) if limit else None, "size": _flag(size),
             "filters": filters_param(filters)}
        return list(self.c.get_json("/containers/json", q) or [])

    def inspect_raw(self, ref: str, size: bool = False) -> bytes:
        return self.c.get_raw(self._p(ref, "/json"), {"size": _flag(size)})

    def inspect(self, ref: str) -> dict[str, Any]:
        return dict(self.c.get_json(self._p(ref, "/json")))

    def post(self, ref: str, sub: str, query: Mapping[str, Any] | None = None,
             body: Any = None) -> Any:
        """A POST on ``/containers/{ref}{sub}`` answered with JSON or nothing."""
        resp = self.c.request("POST", self._p(ref, sub), query, json_body=body)
        return _decode(resp.read())

    def start(self, ref: str) -> None:
        self.post(ref, "/start")

    def stop(self, ref: str, timeout: int | None = None, signal: str | None = None) -> None:
        self.post(ref, "/stop", {"t": None if timeout is None else str(timeout),
                                 "signal": signal or None})

    def restart(self, ref: str, timeout: int | None = None, signal: str | None = None) -> None:
        self.post(ref, "/restart", {"t": None if timeout is None else str(timeout),
                                    "signal": signal or None})

    def kill(self, ref: str, signal: str | None = None) -> None:
        self.post(ref, "/kill", {"signal": signal or None})

    def remove(self, ref: str, force: bool = False, volumes: bool = False,
               link: bool = False) -> None:
        q = {"force": _flag(force), "v": _flag(volumes), "link": _flag(link)}
        self.c.request("DELETE", self._p(ref), q).read()

    def resize(self, ref: str, height: int, width: int) -> None:
        self.post(ref, "/resize", {"h": str(height), "w": str(width)})

    def wait(self, ref: str, condition: str | None = None) -> Response:
        """``POST /containers/{ref}/wait``: the open response (headers come at once)."""
        return self.c.open_stream("POST", self._p(ref, "/wait"), {"condition": condition})

    def attach(self, ref: str, stdin: bool, stdout: bool, stderr: bool,
               detach_keys: str | None = None, logs: bool = False) -> Response:
        """The attach hijack (``Upgrade: tcp``)."""
        q = {"stdin": _flag(stdin), "stdout": _flag(stdout), "stderr": _flag(stderr),
             "stream": "1", "logs": _flag(logs), "detachKeys": detach_keys or None}
        return self.c.open_stream("POST", self._p(ref, "/attach"), q, upgrade=True)

    def logs(self, ref: str, query: Mapping[str, Any]) -> Response:
        return self.c.open_stream("GET", self._p(ref, "/logs"), query)

    def top(self, ref: str, ps_args: str | None = None) -> dict[str, Any]:
        return dict(self.c.get_json(self._p(ref, "/top"), {"ps_args": ps_args or None}))

    def stats(self, ref: str, stream: bool) -> Response:
        q = {"stream": None if stream else "0"}
        return self.c.open_stream("GET", self._p(ref, "/stats"), q)

    def changes(self, ref: str) -> builtins.list[dict[str, Any]]:
        return list(self.c.get_json(self._p(ref, "/changes")) or [])

    def export(self, ref: str) -> Response:
        return self.c.open_stream("GET", self._p(ref, "/export"))

    def archive_stat(self, ref: str, path: str) -> Response:
        return self.c.request("HEAD", self._p(ref, "/archive"), {"path": path})

    def archive_get(self, ref: str, path: str) -> Response:
        return self.c.open_stream("GET", self._p(ref, "/archive"), {"path": path})

    def archive_put(self, ref: str, path: str, data: IO[bytes] | Iterable[bytes],
                    no_overwrite: bool = True, copy_uidgid: bool = False) -> None:
        q = {"path": path, "noOverwriteDirNonDir": "true" if no_overwrite else None,
             "copyUIDGID": "true" if copy_uidgid else None}
        self.c.request("PUT", self._p(ref, "/archive"), q, body=data,
                       headers={"Content-Type": "application/x-tar"}).read()

    def commit(self, query: Mapping[str, Any], config: Any = None) -> dict[str, Any]:
        resp = self.c.request("POST", "/commit", query, json_body=config)
        return dict(_decode(resp.read()) or {})

    def rename(self, ref: str, name: str) -> None:
        self.post(ref, "/rename", {"name": name})

    def update(self, ref: str, body: dict[str, Any]) -> dict[str, Any]:
        return dict(self.post(ref, "/update", None, body) or {})

    def prune(self, filters: Mapping[str, Iterable[str]] | None = None) -> dict[str, Any]:
        resp = self.c.request("POST", "/containers/prune", {"filters": filters_param(filters)})
        return dict(_decode(resp.read()) or {})

    # -- exec ---------------------------------------------------------------------------
    def exec_create(self, ref: str, body: dict[str, Any]) -> dict[str, Any]:
        return dict(self.post(ref, "/exec", None, body) or {})

    def exec_start(self, exec_id: str, body: dict[str, Any], detach: bool = False) -> Response:
        path = f"/exec/{exec_id}/start"
        if detach:
            return self.c.request("POST", path, json_body=body)
        return self.c.open_stream("POST", path, json_body=body, upgrade=True)

    def exec_resize(self, exec_id: str, height: int, width: int) -> None:
        self.c.request("POST", f"/exec/{exec_id}/resize",
                       {"h": str(height), "w": str(width)}).read()

    def exec_inspect(self, exec_id: str) -> dict[str, Any]:
        return dict(self.c.get_json(f"/exec/{exec_id}/json"))

    def events(self, query: Mapping[str, Any]) -> Response:
        return self.c.open_stream("GET", "/events", query)


def _decode(data: bytes) -> Any:
    return fastjson.loads(data) if data.strip() else None
