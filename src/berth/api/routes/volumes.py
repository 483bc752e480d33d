"""``/volumes``: list, inspect, create, remove, prune (moby's volume router).

Create answers 201 with the volume; an empty body makes an anonymous volume. Prune
below API 1.42 removes named volumes too (moby adds ``all=true`` for old clients).
"""

from __future__ import annotations

from aiohttp import web

from berth import errdefs

from ..app import BACKENDS, add_route, in_thread
from ..backends_volumes import VolumeBackend
from ..params import bool_value, parse_filters
from ..versioning import less_than, request_version
from .common import json_object, json_response


def volume_backend(request: web.Request) -> VolumeBackend:
    svc = request.app[BACKENDS].volumes
    if svc is None:
        raise errdefs.NotImplementedYet("volumes are not available in this daemon: the "
                                        "volume service did not start (see the berthd log)")
    return svc


async def list_volumes(request: web.Request) -> web.Response:
    filters = parse_filters(request.query.get("filters"))
    return json_response(await in_thread(request, volume_backend(request).list, filters))


async def inspect_volume(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    return json_response(await in_thread(request, volume_backend(request).inspect, name))


async def create_volume(request: web.Request) -> web.Response:
    body = await json_object(request, not_object="invalid JSON: json: cannot unmarshal "
                             "{type} into Go value of type volume.CreateOptions")
    vol = await in_thread(request, volume_backend(request).create, body)
    return json_response(vol, status=201)


async def remove_volume(request: web.Request) -> web.Response:
    await in_thread(request, volume_backend(request).remove, request.match_info["name"],
                    force=bool_value(request.query, "force"))
    return web.Response(status=204)


async def prune_volumes(request: web.Request) -> web.Response:
    filters = parse_filters(request.query.get("filters"))
    if less_than(request_version(request), "1.42") and "all" not in filters:
        filters["all"] = ["true"]
    return json_response(await in_thread(request, volume_backend(request).prune, filters))


def register(app: web.Application) -> None:
    add_route(app, "GET", "/volumes", list_volumes)
    add_route(app, "POST", "/volumes/create", create_volume)
    add_route(app, "POST", "/volumes/prune", prune_volumes)
    add_route(app, "GET", "/volumes/{name}", inspect_volume)
    add_route(app, "DELETE", "/volumes/{name}", remove_volume)
