"""Network routes (moby ``network_routes.go`` shapes, status codes and 400 messages).

The routes parse and check what the request itself gets wrong (filters, JSON, verbose,
a missing name, a duplicate name, a predefined name) and leave the rest to the
backends: ``NetworkBackend`` for the networks, ``NetworkAttachBackend`` for containers
joining and leaving. Without them the routes answer 501, except ``GET /networks``
(an empty list, so ``docker network ls`` and compose's probes work).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from berth import errdefs

from ..app import BACKENDS, add_route, in_thread
from ..backends_networks import NetworkAttachBackend, NetworkBackend
from ..params import Filters, parse_filters, validate_filters
from ..versioning import less_than, request_version
from .common import json_object, json_response

LIST_FILTERS = ("dangling", "driver", "id", "label", "name", "scope", "type")
PRUNE_FILTERS = ("label", "label!", "until")
PREDEFINED = ("bridge", "host", "none")
_TRUE = ("1", "t", "T", "TRUE", "true", "True")
_FALSE = ("0", "f", "F", "FALSE", "false", "False")


def network_backend(request: web.Request) -> NetworkBackend:
    svc = request.app[BACKENDS].networks
    if svc is None:
        raise errdefs.NotImplementedYet(
            "networks are not available in this daemon: the network service did not start "
            "(see the berthd log)")
    return svc


def attach_backend(request: web.Request) -> NetworkAttachBackend:
    svc = request.app[BACKENDS].netattach
    if svc is None:
        raise errdefs.NotImplementedYet(
            "network connect/disconnect are not available in this daemon: the container "
            "network glue did not start (see the berthd log)")
    return svc


def go_bool(raw: str, name: str) -> bool:
    """Go's strconv.ParseBool, which moby uses for ``verbose`` and the ``dangling`` filter."""
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise errdefs.InvalidArgument(f"invalid value for {name}: {raw}")


def check_list_filters(filters: Filters) -> None:
    """moby's network.ValidateFilters: known keys, boolean ``dangling``, ``type`` values."""
    validate_filters(filters, LIST_FILTERS)
    for value in filters.get("dangling", []):
        if value not in _TRUE + _FALSE:
            raise errdefs.InvalidArgument(f"invalid filter 'dangling={value}'")
    for value in filters.get("type", []):
        if value not in ("custom", "builtin"):
            raise errdefs.InvalidArgument(f"invalid filter: 'type'='{value}'")


async def read_json(request: web.Request) -> dict[str, Any]:
    """moby's httputils.ReadJSON: JSON content type when there is a body; an empty body is
    an empty object; non-objects are 400."""
    return await json_object(request, json_type=True,
                             not_object="invalid JSON: the request body must be an object")


async def list_networks(request: web.Request) -> web.Response:
    filters = parse_filters(request.query.get("filters"))
    check_list_filters(filters)
    svc = request.app[BACKENDS].networks
    if svc is None:
        return json_response([])
    return json_response(await in_thread(request, svc.list_networks, filters))


async def inspect_network(request: web.Request) -> web.Response:
    ref = request.match_info["id"]
    q = request.query
    verbose = go_bool(q["verbose"], "verbose") if q.get("verbose") else False
    scope = q.get("scope", "")
    info = await in_thread(request, network_backend(request).inspect_network, ref,
                           verbose=verbose)
    if scope and info.get("Scope") != scope:
        raise errdefs.NotFound(f"network {ref} not found")
    return json_response(info)


def _check_create(body: dict[str, Any], version: str) -> str:
    name = body.get("Name")
    if not isinstance(name, str) or not name:
        raise errdefs.InvalidArgument("network name is required: Name must not be empty")
    if name in PREDEFINED:
        raise errdefs.PermissionDenied(f"operation is not permitted on predefined {name} "
                                       "network ")
    for key in ("Options", "Labels"):
        value = body.get(key)
        if value is not None and not (isinstance(value, dict)
                                      and all(isinstance(v, str) for v in value.values())):
            raise errdefs.InvalidArgument(f"invalid JSON: {key} must be a map of strings")
    if body.get("IPAM") is not None and not isinstance(body["IPAM"], dict):
        raise errdefs.InvalidArgument("invalid JSON: IPAM must be an object")
    if not less_than(version, "1.44"):
        body["CheckDuplicate"] = True  # API 1.44 made the duplicate check unconditional
    return name


async def create_network(request: web.Request) -> web.Response:
    body = await read_json(request)
    name = _check_create(body, request_version(request))
    svc = network_backend(request)
    if body.get("CheckDuplicate"):
        same = await in_thread(request, svc.list_networks, {"name": [name]})
        if any(n.get("Name") == name for n in same):
            raise errdefs.Conflict(f"network with name {name} already exists")
    result = await in_thread(request, svc.create_network, body)
    return json_response({"Id": result.get("Id", ""), "Warning": result.get("Warning", "")},
                         status=201)


async def remove_network(request: web.Request) -> web.Response:
    await in_thread(request, network_backend(request).remove_network, request.match_info["id"])
    return web.Response(status=204)


def _container(body: dict[str, Any]) -> str:
    ctr = body.get("Container", "")
    if not isinstance(ctr, str):
        raise errdefs.InvalidArgument("invalid JSON: Container must be a string")
    if not ctr:
        raise errdefs.InvalidArgument("container ID or name is required: Container must not "
                                      "be empty")
    return ctr


def _endpoint_config(body: dict[str, Any]) -> dict[str, Any]:
    cfg = body.get("EndpointConfig") or {}
    if not isinstance(cfg, dict):
        raise errdefs.InvalidArgument("invalid JSON: EndpointConfig must be an object")
    aliases = cfg.get("Aliases")
    if aliases is not None and not (isinstance(aliases, list)
                                    and all(isinstance(a, str) for a in aliases)):
        raise errdefs.InvalidArgument("invalid JSON: Aliases must be a list of strings")
    ipam = cfg.get("IPAMConfig")
    if ipam is not None and not isinstance(ipam, dict):
        raise errdefs.InvalidArgument("invalid JSON: IPAMConfig must be an object")
    return cfg


async def connect(request: web.Request) -> web.Response:
    body = await read_json(request)
    ctr, cfg = _container(body), _endpoint_config(body)
    await in_thread(request, attach_backend(request).connect, request.match_info["id"], ctr,
                    cfg)
    return web.Response(status=200)


async def disconnect(request: web.Request) -> web.Response:
    body = await read_json(request)
    ctr = _container(body)
    force = body.get("Force", False)
    if not isinstance(force, bool):
        raise errdefs.InvalidArgument("invalid JSON: Force must be a boolean")
    await in_thread(request, attach_backend(request).disconnect, request.match_info["id"], ctr,
                    force)
    return web.Response(status=200)


async def prune(request: web.Request) -> web.Response:
    filters = parse_filters(request.query.get("filters"))
    validate_filters(filters, PRUNE_FILTERS)
    names = await in_thread(request, network_backend(request).prune_networks, filters)
    return json_response({"NetworksDeleted": list(names) or None})


def register(app: web.Application) -> None:
    add_route(app, "GET", "/networks", list_networks)
    add_route(app, "GET", "/networks/", list_networks)
    add_route(app, "POST", "/networks/create", create_network)
    add_route(app, "POST", "/networks/prune", prune)
    add_route(app, "GET", "/networks/{id}", inspect_network)
    add_route(app, "DELETE", "/networks/{id}", remove_network)
    add_route(app, "POST", "/networks/{id}/connect", connect)
    add_route(app, "POST", "/networks/{id}/disconnect", disconnect)
