"""Small helpers shared by route modules."""

from __future__ import annotations

from typing import Any

import msgspec
from aiohttp import web

from berth import errdefs

from ..app import BACKENDS
from ..backends import ContainerBackend, ExecBackend


def json_response(obj: Any, status: int = 200) -> web.Response:
    """JSON body with a trailing newline, as Go's json.Encoder writes it."""
    return web.Response(status=status, body=msgspec.json.encode(obj) + b"\n",
                        content_type="application/json")


def container_backend(request: web.Request) -> ContainerBackend:
    """The container service, or 501 while the daemon runs without one."""
    svc = request.app[BACKENDS].containers
    if svc is None:
        raise errdefs.NotImplementedYet(
            "containers are not available in this daemon: the container service did not "
            "start (see the berthd log)")
    return svc


def exec_backend(request: web.Request) -> ExecBackend:
    """The exec backend, or 501 with a message that says so."""
    svc = request.app[BACKENDS].execs
    if svc is None:
        raise errdefs.NotImplementedYet(
            "exec is not implemented in berth yet: the container service offers no exec")
    return svc


async def json_object(request: web.Request, *, not_object: str,
                      empty_error: str | None = None, json_type: bool = False) -> dict[str, Any]:
    """A request body that must be a JSON object (moby's httputils.ReadJSON and friends):
    an empty body is ``{}`` unless ``empty_error`` says otherwise; ``json_type``: a body
    must come with ``Content-Type: application/json``; ``not_object``: the message when
    it decodes to something else. Every failure is a 400 with moby's wording."""
    raw = await request.read()
    if json_type and raw:
        ctype = request.headers.get("Content-Type", "")
        if ctype.split(";")[0].strip().lower() != "application/json":
            raise errdefs.InvalidArgument(
                f"unsupported Content-Type header ({ctype}): must be 'application/json'")
    if not raw.strip():
        if empty_error:
            raise errdefs.InvalidArgument(empty_error)
        return {}
    try:
        body = msgspec.json.decode(raw)
    except msgspec.DecodeError as exc:
        raise errdefs.InvalidArgument(f"invalid JSON: {exc}") from None
    if not isinstance(body, dict):
        raise errdefs.InvalidArgument(not_object.format(type=type(body).__name__))
    return body
