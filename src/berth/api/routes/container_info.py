"""Read-only container routes: list (``docker ps``), inspect, top, changes.

Query parsing follows moby: ``all``/``size`` are BoolValues, ``limit`` an int (``-1`` or
``0`` = no limit), ``filters`` JSON in map or legacy list form; unknown filter keys
are a 400 naming the key. Old clients send ``before``/``since`` as plain parameters;
they are folded into the filters as moby does.
"""

from __future__ import annotations

from aiohttp import web

from ..app import add_route, backends, in_thread
from ..params import bool_value, int_value, parse_filters, validate_filters
from .common import container_backend, json_response

LIST_FILTERS = ("ancestor", "before", "expose", "exited", "health", "id", "isolation",
                "is-task", "label", "name", "network", "publish", "since", "status",
                "volume")


async def list_containers(request: web.Request) -> web.Response:
    q = request.query
    filters = parse_filters(q.get("filters"))
    validate_filters(filters, LIST_FILTERS)
    for legacy in ("before", "since"):
        if q.get(legacy):
            filters.setdefault(legacy, []).append(q[legacy])
    limit = int_value(q, "limit", -1)
    if backends(request).containers is None:
        return json_response([])  # no container service, no containers: ``docker ps`` works
    result = await in_thread(request, container_backend(request).list, all=bool_value(q, "all"),
                             limit=limit if limit > 0 else -1, size=bool_value(q, "size"),
                             filters=filters)
    return json_response(result)


async def inspect(request: web.Request) -> web.Response:
    svc = container_backend(request)
    size = bool_value(request.query, "size")
    info = await in_thread(request, svc.inspect, request.match_info["id"], size)
    if not size:
        info = {k: v for k, v in info.items() if k not in ("SizeRw", "SizeRootFs")}
    return json_response(info)


async def top(request: web.Request) -> web.Response:
    ps_args = request.query.get("ps_args") or "-ef"
    return json_response(await in_thread(request, container_backend(request).top,
                                         request.match_info["id"], ps_args))


async def changes(request: web.Request) -> web.Response:
    return json_response(await in_thread(request, container_backend(request).changes,
                                         request.match_info["id"]))


def register(app: web.Application) -> None:
    add_route(app, "GET", "/containers/json", list_containers)
    add_route(app, "GET", "/containers/{id}/json", inspect)
    add_route(app, "GET", "/containers/{id}/top", top)
    add_route(app, "GET", "/containers/{id}/changes", changes)
