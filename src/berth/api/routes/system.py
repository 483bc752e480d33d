"""``/_ping``, ``/version``, ``/info``, ``/system/df``."""

from __future__ import annotations

from aiohttp import web

from berth import errdefs

from ..app import add_route, backends, in_thread
from ..params import query_list
from ..versioning import DEFAULT_VERSION
from .common import json_response

PING_HEADERS = {
    "Api-Version": DEFAULT_VERSION,
    "Builder-Version": "1",
    "Docker-Experimental": "false",
    "Swarm": "inactive",
    "Cache-Control": "no-cache, no-store, must-revalidate",
    "Pragma": "no-cache",
}
DF_TYPES = ("container", "image", "volume", "build-cache")


async def ping(request: web.Request) -> web.Response:
    """Negotiation target of every CLI command; HEAD has the headers and no body."""
    body = b"" if request.method == "HEAD" else b"OK"
    return web.Response(body=body, headers=PING_HEADERS, content_type="text/plain",
                        charset="utf-8")


async def version(request: web.Request) -> web.Response:
    return json_response(await in_thread(request, backends(request).system.version))


async def info(request: web.Request) -> web.Response:
    return json_response(await in_thread(request, backends(request).system.info))


async def disk_usage(request: web.Request) -> web.Response:
    """Images and volumes come from their services; no containers or builds here yet."""
    types = query_list(request.query, "type")
    for t in types:
        if t not in DF_TYPES:
            raise errdefs.InvalidArgument(f"unknown object type: {t}")
    want = set(types or DF_TYPES)
    out: dict[str, object] = {}
    if "image" in want:
        usage = await in_thread(request, backends(request).images.disk_usage)
        out["LayersSize"] = usage.get("LayersSize", 0)
        out["Images"] = usage.get("Images", [])
    if "container" in want:
        out["Containers"] = []
    if "volume" in want:
        vols = backends(request).volumes
        out["Volumes"] = await in_thread(request, vols.usage) if vols is not None else []
    if "build-cache" in want:
        out["BuildCache"] = []
    return json_response(out)


def register(app: web.Application) -> None:
    add_route(app, "GET", "/_ping", ping)
    add_route(app, "HEAD", "/_ping", ping)
    add_route(app, "GET", "/version", version)
    add_route(app, "GET", "/info", info)
    add_route(app, "GET", "/system/df", disk_usage)
