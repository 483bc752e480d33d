"""``GET /containers/{id}/attach/ws``: attach over a websocket (moby ``wsContainersAttach``).

What moby does, and so berth: the output is never stdcopy-framed, even without a TTY
(``MuxStreams: false``; the monitor frames non-TTY output, so it is demultiplexed here
and stdout and stderr share the socket); since API 1.28 each output chunk is a binary
frame, before that a text frame (moby 28176). Text and binary frames from the client
both go to stdin. Before API 1.42 stdin, stdout and stderr are always attached, whatever
the query says. Detach keys are filtered on TTY containers only, as on the hijacked
attach. Everything that can fail with an HTTP status (no such container, bad detach
keys) is checked before the websocket handshake; later errors go out as one text line
(moby's ``Error attaching: …``) before the close frame.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiohttp import web
from aiohttp.web import WSMsgType

from berth import errdefs
from berth._util import stdcopy

from . import attachlogs, detachkeys
from .app import add_route, in_thread
from .backends import StreamPair
from .params import bool_value
from .routes.common import container_backend
from .versioning import less_than, request_version

log = logging.getLogger("berth.api")
CHUNK = 32 * 1024


class _Output:
    """Sends container output as websocket frames (raw bytes, whichever stream)."""

    def __init__(self, ws: web.WebSocketResponse, binary: bool) -> None:
        self.ws = ws
        self.opcode = WSMsgType.BINARY if binary else WSMsgType.TEXT

    async def send(self, data: bytes) -> None:
        if data:
            await self.ws.send_frame(data, self.opcode)

    async def sink(self, stream: int, data: bytes) -> None:
        await self.send(data)

    async def pump(self, reader: StreamPair, tty: bool) -> None:
        """Until the container's stream ends; undoes the monitor's stdcopy framing."""
        decoder = None if tty else stdcopy.Decoder()
        while chunk := await reader[0].read(CHUNK):
            if decoder is None:
                await self.send(chunk)
                continue
            for _, piece in decoder.feed(chunk):
                await self.send(piece)


async def _input(ws: web.WebSocketResponse, pair: StreamPair, *, stdin: bool,
                 close_stdin: bool, keys: bytes) -> str:
    """Client frames → stdin; ``detach`` when the keys complete, else ``closed``."""
    writer, filt = pair[1], detachkeys.DetachFilter(keys)
    async for msg in ws:
        if msg.type == WSMsgType.TEXT:
            data = msg.data.encode()
        elif msg.type == WSMsgType.BINARY:
            data = msg.data
        else:
            continue
        if not stdin:
            continue
        data = filt.feed(data)
        if data:
            writer.write(data)
            await writer.drain()
        if filt.detached:
            return "detach"
    if stdin and close_stdin:
        with contextlib.suppress(OSError, RuntimeError):
            writer.write_eof()
    return "closed"


async def _session(ws: web.WebSocketResponse, out: _Output, pair: StreamPair, *, tty: bool,
                   stdin: bool, close_stdin: bool, keys: bytes) -> None:
    """Pump both ways until the output ends, the client detaches or closes."""
    output = asyncio.ensure_future(out.pump(pair, tty))
    inp = asyncio.ensure_future(_input(ws, pair, stdin=stdin, close_stdin=close_stdin,
                                       keys=keys))
    try:
        await asyncio.wait({output, inp}, return_when=asyncio.FIRST_COMPLETED)
        if output.done():
            output.result()
    finally:
        for task in (output, inp):
            task.cancel()
        await asyncio.gather(output, inp, return_exceptions=True)
        with contextlib.suppress(OSError, RuntimeError):
            pair[1].close()


async def attach_ws(request: web.Request) -> web.StreamResponse:
    q = request.query
    svc = container_backend(request)
    info = await in_thread(request, svc.inspect, request.match_info["id"])
    keys = detachkeys.parse(q.get("detachKeys") or detachkeys.DEFAULT)
    version = request_version(request)
    stdin = stdout = stderr = True
    if not less_than(version, "1.42"):
        stdin, stdout, stderr = (bool_value(q, k) for k in ("stdin", "stdout", "stderr"))
    config = info.get("Config", {})
    tty = bool(config.get("Tty"))
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    out = _Output(ws, binary=not less_than(version, "1.28"))
    cid = info["Id"]
    live = (attachlogs.start_live(svc, cid, stdin=stdin, stdout=stdout, stderr=stderr)
            if bool_value(q, "stream") else None)
    try:
        if bool_value(q, "logs"):
            await attachlogs.replay(request, svc, cid, stdout=stdout, stderr=stderr,
                                    sink=out.sink)
        if live is not None:
            pair, live = await live, None
            await _session(ws, out, pair, tty=tty, stdin=stdin,
                           close_stdin=bool(config.get("StdinOnce")) and not tty,
                           keys=keys if tty else b"")
    except ConnectionError:
        pass  # the client went away
    except Exception as exc:
        if not isinstance(exc, errdefs.BerthError):
            log.exception("websocket attach %s failed", cid)
        msg = exc.message if isinstance(exc, errdefs.BerthError) else str(exc)
        with contextlib.suppress(ConnectionError, RuntimeError):
            await ws.send_str(f"Error attaching: {msg}\n")
    finally:
        await attachlogs.discard(live)
        await ws.close()
    return ws


def register(app: web.Application) -> None:
    add_route(app, "GET", "/containers/{id}/attach/ws", attach_ws)
