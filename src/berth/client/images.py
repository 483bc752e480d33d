"""Image endpoints (``/images/...``) as plain methods; the CLI formats their answers."""

from __future__ import annotations

import builtins

from berth._util import fastjson
from berth.client.api import Client, filters_param, path_name

TYPE_CHECKING = False  # typing, collections.abc and json stay off the CLI's start-up
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from typing import IO, Any

    from berth.client.api import Body
    from berth.client.transport import Response


class ImagesAPI:
    """Methods for the image endpoints of one client."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def list(self, all: bool = False, filters: Mapping[str, Iterable[str]] | None = None,
             digests: bool = False) -> builtins.list[dict[str, Any]]:
        """``GET /images/json``."""
        query: dict[str, Any] = {"all": "1" if all else None, "filters": filters_param(filters)}
        return list(self.client.get_json("/images/json", query) or [])

    def inspect_raw(self, name: str) -> bytes:
        """``GET /images/{name}/json`` as the daemon's bytes (inspect reindents them)."""
        return self.client.get_raw(f"/images/{path_name(name)}/json")

    def inspect(self, name: str) -> dict[str, Any]:
        """``GET /images/{name}/json`` decoded."""
        return dict(fastjson.loads(self.inspect_raw(name)))

    def history(self, name: str) -> builtins.list[dict[str, Any]]:
        """``GET /images/{name}/history``."""
        return list(self.client.get_json(f"/images/{path_name(name)}/history") or [])

    def tag(self, source: str, repo: str, tag: str | None) -> None:
        """``POST /images/{source}/tag?repo=&tag=``."""
        query = {"repo": repo, "tag": tag}
        self.client.request("POST", f"/images/{path_name(source)}/tag", query).read()

    def remove(self, name: str, force: bool = False,
               noprune: bool = False) -> builtins.list[dict[str, str]]:
        """``DELETE /images/{name}``; returns the Untagged/Deleted records."""
        query = {"force": "1" if force else None, "noprune": "1" if noprune else None}
        return list(self.client.call_json("DELETE", f"/images/{path_name(name)}", query) or [])

    def prune(self, filters: Mapping[str, Iterable[str]] | None = None) -> dict[str, Any]:
        """``POST /images/prune``."""
        query = {"filters": filters_param(filters)}
        return dict(self.client.call_json("POST", "/images/prune", query) or {})

    def save(self, names: builtins.list[str]) -> Response:
        """``GET /images/get?names=…``: the tar stream, for the caller to copy."""
        return self.client.request("GET", "/images/get", _multi("names", names))

    def load(self, data: IO[bytes] | Body, quiet: bool = False) -> Response:
        """``POST /images/load`` with a chunked tar body; answers a JSON stream."""
        headers = {"Content-Type": "application/x-tar"}
        query = {"quiet": "1" if quiet else "0"}
        return self.client.request("POST", "/images/load", query, body=data, headers=headers)

    def import_(self, data: IO[bytes] | Body, source: str = "-", repo: str | None = None,
                tag: str | None = None, message: str | None = None,
                changes: builtins.list[str] | None = None,
                platform: str | None = None) -> Response:
        """``POST /images/create?fromSrc=…``; answers a JSON stream ending in the ID."""
        query: builtins.list[tuple[str, str]] = [("fromSrc", source)]
        for key, val in (("message", message), ("platform", platform), ("repo", repo),
                         ("tag", tag)):
            if val:
                query.append((key, val))
        query += [("changes", c) for c in changes or []]
        headers = {"Content-Type": "text/plain"}
        return self.client.request("POST", "/images/create", _Query(query), body=data,
                                   headers=headers)


def pull(client: Client, image: str, tag: str, platform: str | None = None) -> Response:
    """``POST /images/create?fromImage=…&tag=…`` (a JSON progress stream)."""
    query = {"fromImage": image, "tag": tag or None, "platform": platform or None}
    return client.request("POST", "/images/create", query,
                          headers={"X-Registry-Auth": "e30="})


class _Query(dict):  # dict[str, Any]: typing is not imported at start-up
    """A query that may repeat keys (``changes=…&changes=…``)."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        super().__init__()
        self.pairs = pairs

    def items(self) -> Any:
        return list(self.pairs)

    def __bool__(self) -> bool:
        return bool(self.pairs)


def _multi(key: str, values: list[str]) -> _Query:
    return _Query([(key, v) for v in values])
