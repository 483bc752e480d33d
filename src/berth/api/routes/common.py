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
