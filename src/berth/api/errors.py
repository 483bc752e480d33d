"""The one place where errors become HTTP responses (body ``{"message": …}`` as moby).

Handlers raise ``berth.errdefs`` errors; this middleware maps them by their taxonomy
status. Routing misses (unknown path, wrong method) answer 404 ``page not found`` like
moby's router; anything unexpected is a logged 500 whose message is the exception text.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import msgspec
from aiohttp import web

from berth import errdefs

from .versioning import negotiate

log = logging.getLogger("berth.api")
STARTED = web.RequestKey("response_started", bool)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def json_error(status: int, message: str) -> web.Response:
    """A moby-shaped error response; 304 carries no body."""
    if status == 304:
        return web.Response(status=304)
    body = msgspec.json.encode({"message": message}) + b"\n"
    return web.Response(status=status, body=body, content_type="application/json")


def error_response(exc: BaseException) -> web.Response:
    """Map any exception to its response (taxonomy status, or 500)."""
    if isinstance(exc, errdefs.BerthError):
        return json_error(exc.http_status, exc.message)
    if isinstance(exc, web.HTTPNotFound | web.HTTPMethodNotAllowed):
        return json_error(404, "page not found")
    if isinstance(exc, web.HTTPException):
        return json_error(exc.status, exc.reason if exc.text is None else exc.text)
    return json_error(500, str(exc) or type(exc).__name__)


@web.middleware
async def api_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Negotiate the version, run the handler, turn raised errors into responses."""
    try:
        negotiate(request)
        return await handler(request)
    except errdefs.BerthError as exc:
        if request.get(STARTED):
            raise
        log.debug("%s %s: %s", request.method, request.path, exc.message)
        return error_response(exc)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return error_response(exc)
    except Exception as exc:
        if request.get(STARTED):
            raise  # the status line is out: aiohttp drops the connection (truncated body)
        log.exception("%s %s failed", request.method, request.path)
        return error_response(exc)
