"""Exec routes: create, start (hijacked like attach), resize, inspect.

While the daemon has no exec backend every route answers 501 with a message saying so
(``docker exec`` prints it). ``/exec/{id}/start`` checks the instance exists before it
hijacks, so a bad id is a plain 404; with ``Detach`` it answers 200 with no body and no
hijack, as moby does. Exec stdin is closed on the client's EOF (moby's exec always
attaches with ``CloseStdin``).
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web

from berth import errdefs

from .. import detachkeys, session
from ..app import add_route, in_thread
from ..hijack import HijackedResponse, hijack
from .common import container_backend, exec_backend, json_object, json_response
from .container_streams import stream_content_type
from .containers import size_param

log = logging.getLogger("berth.api")


async def _body(request: web.Request) -> dict[str, Any]:
    return await json_object(request, not_object="invalid JSON: expected an object")


async def exec_create(request: web.Request) -> web.Response:
    execs = exec_backend(request)
    body = await _body(request)
    if not body.get("Cmd"):
        raise errdefs.InvalidArgument("No exec command specified")
    info = await in_thread(request, container_backend(request).inspect, request.match_info["id"])
    exec_id = await in_thread(request, execs.exec_create, info["Id"], body)
    return json_response({"Id": exec_id}, status=201)


async def exec_start(request: web.Request) -> web.StreamResponse:
    execs = exec_backend(request)
    body = await _body(request)
    exec_id = request.match_info["id"]
    info = await in_thread(request, execs.exec_inspect, exec_id)  # 404 before the hijack
    tty = bool(body.get("Tty", info.get("ProcessConfig", {}).get("tty")))
    console = body.get("ConsoleSize")
    if bool(body.get("Detach")):
        await execs.exec_start(exec_id, detach=True, tty=tty, console_size=console)
        return web.Response(status=200)
    keys = detachkeys.parse(info.get("DetachKeys") or detachkeys.DEFAULT)
    opts = session.SessionOptions(stdin=bool(info.get("OpenStdin")), close_stdin=True,
                                  detach_keys=keys if tty else b"", multiplexed=not tty)
    conn = await hijack(request, stream_content_type(request, tty))
    try:
        pair = await execs.exec_start(exec_id, detach=False, tty=tty, console_size=console)
        if pair is not None:
            await session.run(conn, pair, opts)
    except ConnectionError:
        pass  # the client went away
    except Exception as exc:
        if not isinstance(exc, errdefs.BerthError):
            log.exception("exec %s failed", exec_id)
        await session.report_error(conn, exc, opts.multiplexed)
    finally:
        conn.close()
    return HijackedResponse()


async def exec_resize(request: web.Request) -> web.Response:
    height, width = size_param(request, "h"), size_param(request, "w")
    await in_thread(request, exec_backend(request).exec_resize, request.match_info["id"],
                    height, width)
    return web.Response(status=200, content_type="text/plain")


async def exec_inspect(request: web.Request) -> web.Response:
    return json_response(await in_thread(request, exec_backend(request).exec_inspect,
                                         request.match_info["id"]))


def register(app: web.Application) -> None:
    add_route(app, "POST", "/containers/{id}/exec", exec_create)
    add_route(app, "POST", "/exec/{id}/start", exec_start)
    add_route(app, "POST", "/exec/{id}/resize", exec_resize)
    add_route(app, "GET", "/exec/{id}/json", exec_inspect)
