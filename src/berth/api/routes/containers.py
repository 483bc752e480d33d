"""Container routes. Until berth has containers, the list is honestly empty so that
``docker ps`` works; filters are still validated so bad input is a 400."""

from __future__ import annotations

from aiohttp import web

from ..app import add_route
from ..params import bool_value, int_value, parse_filters
from .common import json_response


async def list_containers(request: web.Request) -> web.Response:
    q = request.query
    parse_filters(q.get("filters"))
    bool_value(q, "all")
    int_value(q, "limit", -1)
    return json_response([])


def register(app: web.Application) -> None:
    add_route(app, "GET", "/containers/json", list_containers)
