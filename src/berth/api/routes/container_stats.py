"""``GET /containers/{id}/stats`` and ``POST /containers/{id}/update`` (moby shapes).

Stats: ``stream`` defaults to true (one JSON object per line, one a second, until the
client goes away: a failed write or aiohttp's handler cancellation ends the loop);
``stream=false`` answers one object. ``one-shot`` (API ≥ 1.41) skips the second sample
that fills ``precpu_stats``; with ``stream=true`` it is moby's 400. The first object is
fetched before the headers so a missing container stays an HTTP 404.

Update: the body is a HostConfig subset (resources + ``RestartPolicy``); the answer is
``{"Warnings": [...]}``.
"""

from __future__ import annotations

import contextlib
from typing import Any

from aiohttp import web

from berth import errdefs

from ..app import add_route, in_thread
from ..params import bool_value
from ..streams import encode_line
from ..versioning import less_than, request_version
from .common import container_backend, json_response
from .containers import _json_body


async def stats(request: web.Request) -> web.StreamResponse:
    q = request.query
    stream = bool_value(q, "stream", True)
    one_shot = False if less_than(request_version(request), "1.41") else \
        bool_value(q, "one-shot", False)
    if stream and one_shot:
        raise errdefs.InvalidArgument("cannot have stream=true and one-shot=true")
    svc = container_backend(request)
    items = svc.stats(request.match_info["id"], stream=stream, one_shot=one_shot)
    try:
        first: Any = await anext(items, None)
        resp = web.StreamResponse(headers={"Content-Type": "application/json"})
        await resp.prepare(request)
        while first is not None:
            await resp.write(encode_line(first))
            if not stream:
                break
            first = await anext(items, None)
        with contextlib.suppress(ConnectionError):
            await resp.write_eof()
    except ConnectionError:  # the client went away mid-stream
        return web.Response(status=499)
    finally:
        await items.aclose()
    return resp


async def update(request: web.Request) -> web.Response:
    body = await _json_body(request)
    result = await in_thread(request, container_backend(request).update,
                             request.match_info["id"], body)
    return json_response(result)


def register(app: web.Application) -> None:
    add_route(app, "GET", "/containers/{id}/stats", stats)
    add_route(app, "POST", "/containers/{id}/update", update)
