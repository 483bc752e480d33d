"""Container routes that stream: logs, export and attach (the hijacked connection).

Logs are stdcopy-framed unless the container has a TTY; since API 1.42 the content type
says which (``multiplexed-stream`` / ``raw-stream``), before that it is always raw-stream
(moby). Attach validates everything it can (container exists, detach keys) while it
can still answer with an HTTP error, then hijacks and sends the status line at once —
the CLI calls ``start`` only after it has the 101.
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web

from berth import errdefs
from berth._util import stdcopy

from .. import attachlogs, detachkeys, session
from ..aiter import as_async
from ..app import EXECUTOR, add_route, in_thread
from ..eventfilter import parse_time
from ..hijack import MULTIPLEXED, RAW, HijackedResponse, hijack
from ..params import bool_value
from ..versioning import less_than, request_version
from .common import container_backend

log = logging.getLogger("berth.api")


def stream_content_type(request: web.Request, tty: bool) -> str:
    if tty or less_than(request_version(request), "1.42"):
        return RAW
    return MULTIPLEXED


def _nanoseconds(request: web.Request, name: str) -> int:
    """A ``since``/``until`` query value as unix nanoseconds (0 = unbounded)."""
    ns = parse_time(request.query.get(name, ""), name)
    return 0 if ns is None else ns


def _tail(raw: str) -> int:
    """``all`` (or empty, or negative) is -1; anything else must be an integer."""
    if raw in ("", "all"):
        return -1
    try:
        n = int(raw)
    except ValueError:
        raise errdefs.InvalidArgument(f"error parsing tail option: {raw!r} is not a number")\
            from None
    return n if n >= 0 else -1


async def logs(request: web.Request) -> web.StreamResponse:
    q = request.query
    stdout, stderr = bool_value(q, "stdout"), bool_value(q, "stderr")
    if not (stdout or stderr):
        raise errdefs.InvalidArgument("Bad parameters: you must choose at least one stream")
    svc = container_backend(request)
    info = await in_thread(request, svc.inspect, request.match_info["id"])
    tty = bool(info.get("Config", {}).get("Tty"))
    source = svc.logs(info["Id"], stdout=stdout, stderr=stderr,
                      follow=bool_value(q, "follow"), since_ns=_nanoseconds(request, "since"),
                      until_ns=_nanoseconds(request, "until"),
                      timestamps=bool_value(q, "timestamps"), tail=_tail(q.get("tail", "")))
    items = as_async(request.app[EXECUTOR], source).__aiter__()
    first: Any = await anext(items, None)  # errors before any output stay HTTP errors
    resp = web.StreamResponse(headers={"Content-Type": stream_content_type(request, tty)})
    await resp.prepare(request)
    while first is not None:
        stream, data = first
        await resp.write(data if tty else stdcopy.frame(int(stream), data))
        first = await anext(items, None)
    await resp.write_eof()
    return resp


async def export(request: web.Request) -> web.StreamResponse:
    svc = container_backend(request)
    source = await in_thread(request, svc.export, request.match_info["id"])
    resp = web.StreamResponse(headers={"Content-Type": "application/x-tar"})
    await resp.prepare(request)
    async for chunk in as_async(request.app[EXECUTOR], source):
        await resp.write(chunk)
    await resp.write_eof()
    return resp


async def attach(request: web.Request) -> web.StreamResponse:
    """``stream`` attaches live (waiting for a start if the container is not running),
    ``logs`` replays the log first (``attachlogs``); neither → the stream just ends."""
    q = request.query
    svc = container_backend(request)
    info = await in_thread(request, svc.inspect, request.match_info["id"])
    keys = detachkeys.parse(q.get("detachKeys") or detachkeys.DEFAULT)
    config = info.get("Config", {})
    tty = bool(config.get("Tty"))
    stdin, stdout, stderr = (bool_value(q, k) for k in ("stdin", "stdout", "stderr"))
    opts = session.SessionOptions(stdin=stdin, close_stdin=bool(config.get("StdinOnce"))
                                  and not tty,
                                  detach_keys=keys if tty else b"", multiplexed=not tty)
    conn = await hijack(request, stream_content_type(request, tty))
    live = (attachlogs.start_live(svc, info["Id"], stdin=stdin, stdout=stdout, stderr=stderr)
            if bool_value(q, "stream") else None)

    async def sink(stream: int, data: bytes) -> None:
        await conn.write(data if tty else stdcopy.frame(stream, data))

    try:
        if bool_value(q, "logs"):
            await conn.peer_read_all()
            await attachlogs.replay(request, svc, info["Id"], stdout=stdout, stderr=stderr,
                                    sink=sink)
        if live is not None:
            pair, live = await live, None
            await session.run(conn, pair, opts)
    except ConnectionError:
        pass  # the client went away
    except Exception as exc:
        if not isinstance(exc, errdefs.BerthError):
            log.exception("attach %s failed", info["Id"])
        await session.report_error(conn, exc, opts.multiplexed)
    finally:
        await attachlogs.discard(live)
        conn.close()
    return HijackedResponse()


def register(app: web.Application) -> None:
    from .. import websocket_attach

    add_route(app, "GET", "/containers/{id}/logs", logs)
    add_route(app, "GET", "/containers/{id}/export", export)
    add_route(app, "POST", "/containers/{id}/attach", attach)
    websocket_attach.register(app)
