"""Image routes: list, inspect, history, tag, remove, prune (JSON in, JSON out).

Names may contain slashes (``docker.io/library/alpine``), so ``{name:.*}``. Streaming
routes (load, save, import, pull) are in ``image_streams``.
"""

from __future__ import annotations

from aiohttp import web

from ..app import add_route, backends, in_thread
from ..params import bool_value, parse_filters, validate_filters
from ..versioning import less_than, request_version
from .common import json_response
from .image_streams import register as register_streams

PRUNE_FILTERS = ("dangling", "label", "label!", "until")


async def list_images(request: web.Request) -> web.Response:
    q = request.query
    filters = parse_filters(q.get("filters"))
    legacy = q.get("filter", "")
    if legacy and less_than(request_version(request), "1.41"):
        filters.setdefault("reference", []).append(legacy)
    images = await in_thread(request, backends(request).images.list_images,
                             all=bool_value(q, "all"), filters=filters or None,
                             digests=bool_value(q, "digests"))
    return json_response(images)


async def inspect_image(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    return json_response(await in_thread(request, backends(request).images.inspect_image, name))


async def image_history(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    return json_response(await in_thread(request, backends(request).images.image_history, name))


async def tag_image(request: web.Request) -> web.Response:
    q = request.query
    await in_thread(request, backends(request).images.tag_image, request.match_info["name"],
                    q.get("repo", ""), q.get("tag", ""))
    return web.Response(status=201)


async def remove_image(request: web.Request) -> web.Response:
    q = request.query
    deleted = await in_thread(request, backends(request).images.remove_image,
                              request.match_info["name"], force=bool_value(q, "force"),
                              noprune=bool_value(q, "noprune"))
    return json_response(deleted)


async def prune_images(request: web.Request) -> web.Response:
    filters = parse_filters(request.query.get("filters"))
    validate_filters(filters, PRUNE_FILTERS)
    report = await in_thread(request, backends(request).images.prune_images, filters)
    return json_response(report)


def register(app: web.Application) -> None:
    add_route(app, "GET", "/images/json", list_images)
    add_route(app, "POST", "/images/prune", prune_images)
    register_streams(app)
    add_route(app, "GET", "/images/{name:.*}/json", inspect_image)
    add_route(app, "GET", "/images/{name:.*}/history", image_history)
    add_route(app, "POST", "/images/{name:.*}/tag", tag_image)
    add_route(app, "DELETE", "/images/{name:.*}", remove_image)
