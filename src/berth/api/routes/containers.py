"""Container lifecycle routes: create, start, stop, kill, restart, pause, unpause, rename,
wait, remove, resize, prune (moby ``container_routes.go`` shapes and status codes).

Errors come from the backend as ``berth.errdefs`` (404 ``No such container``, 409,
304 for a no-op start/stop) and are mapped by the error middleware. ``/wait`` sends its
headers before the condition fires: ``docker run -d`` opens a wait and drops it, and the
CLI waits for the headers before it calls ``start``.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from berth import errdefs

from ..app import add_route, in_thread
from ..backends import ContainerBackend
from ..params import bool_value, int_value, parse_filters
from ..streams import encode_line
from ..versioning import less_than, request_version
from .common import container_backend, json_object, json_response

WAIT_CONDITIONS = ("not-running", "next-exit", "removed")
PRUNE_FILTERS = ("label", "label!", "until")


def _cid(request: web.Request) -> str:
    return request.match_info["id"]


async def _json_body(request: web.Request) -> dict[str, Any]:
    return await json_object(
        request, empty_error="config cannot be empty in order to create a container",
        not_object="invalid JSON: the container config must be an object")


async def create(request: web.Request) -> web.Response:
    svc = container_backend(request)
    body = await _json_body(request)
    name = request.query.get("name") or None
    platform = request.query.get("platform", "")
    if platform and not platform.startswith("linux"):
        raise errdefs.InvalidArgument(f"unsupported platform {platform!r}: berth runs linux")
    result = await in_thread(request, svc.create, body, name)
    return json_response(result, status=201)


async def start(request: web.Request) -> web.Response:
    await container_backend(request).start(_cid(request))
    return web.Response(status=204)


def _timeout(request: web.Request) -> int | None:
    return int_value(request.query, "t", 0) if request.query.get("t") else None


async def stop(request: web.Request) -> web.Response:
    signal = request.query.get("signal") or None
    if less_than(request_version(request), "1.42"):
        signal = None  # moby ignores it before 1.42
    await container_backend(request).stop(_cid(request), timeout=_timeout(request),
                                          signal=signal)
    return web.Response(status=204)


async def kill(request: web.Request) -> web.Response:
    await container_backend(request).kill(_cid(request), request.query.get("signal") or None)
    return web.Response(status=204)


async def restart(request: web.Request) -> web.Response:
    await container_backend(request).restart(_cid(request), _timeout(request))
    return web.Response(status=204)


async def pause(request: web.Request) -> web.Response:
    await in_thread(request, container_backend(request).pause, _cid(request))
    return web.Response(status=204)


async def unpause(request: web.Request) -> web.Response:
    await in_thread(request, container_backend(request).unpause, _cid(request))
    return web.Response(status=204)


async def rename(request: web.Request) -> web.Response:
    name = request.query.get("name", "")
    if not name:
        raise errdefs.InvalidArgument("Neither old nor new names may be empty")
    await in_thread(request, container_backend(request).rename, _cid(request), name)
    return web.Response(status=204)


async def wait(request: web.Request) -> web.StreamResponse:
    """Headers at once, ``{"StatusCode": n, "Error": …}`` when the condition fires."""
    svc = container_backend(request)
    condition = request.query.get("condition") or "not-running"
    if condition not in WAIT_CONDITIONS:
        raise errdefs.InvalidArgument(f"invalid condition: {condition!r}")
    cid = svc.resolve(_cid(request))  # 404 before the headers; in memory: no thread hop
    resp = web.StreamResponse(headers={"Content-Type": "application/json"})
    resp.enable_chunked_encoding()
    await resp.prepare(request)  # StreamResponse sends its headers immediately
    status = await _wait_result(svc, cid, condition)
    await resp.write(encode_line(status))
    await resp.write_eof()
    return resp


async def _wait_result(svc: ContainerBackend, cid: str, condition: str) -> dict[str, Any]:
    try:
        result = await svc.wait(cid, condition)
    except errdefs.BerthError as exc:  # the headers are out: report in the body
        return {"StatusCode": -1, "Error": {"Message": exc.message}}
    err = result.get("Error")
    if isinstance(err, str):
        err = {"Message": err} if err else None
    return {"StatusCode": int(result.get("StatusCode", 0)), "Error": err}


async def remove(request: web.Request) -> web.Response:
    q = request.query
    await in_thread(request, container_backend(request).remove, _cid(request),
                    force=bool_value(q, "force"), volumes=bool_value(q, "v"),
                    link=bool_value(q, "link"))
    return web.Response(status=204)


def size_param(request: web.Request, name: str) -> int:
    value = int_value(request.query, name, 0)
    if value < 0:
        raise errdefs.InvalidArgument(f"invalid value for {name}: {value} must not be negative")
    return value


async def resize(request: web.Request) -> web.Response:
    height, width = size_param(request, "h"), size_param(request, "w")
    await in_thread(request, container_backend(request).resize, _cid(request), height, width)
    return web.Response(status=200, content_type="text/plain")


async def prune(request: web.Request) -> web.Response:
    filters = parse_filters(request.query.get("filters"))
    for key in filters:
        if key not in PRUNE_FILTERS:
            raise errdefs.InvalidArgument(f"invalid filter '{key}'")
    return json_response(await in_thread(request, container_backend(request).prune, filters))


def register(app: web.Application) -> None:
    from . import container_info, container_stats, container_streams

    add_route(app, "POST", "/containers/create", create)
    add_route(app, "POST", "/containers/prune", prune)
    for verb, handler in (("start", start), ("stop", stop), ("kill", kill),
                          ("restart", restart), ("pause", pause), ("unpause", unpause),
                          ("rename", rename), ("wait", wait), ("resize", resize)):
        add_route(app, "POST", f"/containers/{{id}}/{verb}", handler)
    add_route(app, "DELETE", "/containers/{id}", remove)
    container_info.register(app)
    container_streams.register(app)
    container_stats.register(app)
