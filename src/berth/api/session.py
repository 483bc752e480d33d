"""Pumping bytes between a hijacked client connection and a container stream.

One session = two pumps. Output (container → client) runs until the container's stream
ends; that ends the session. Input (client → container) forwards stdin through the
detach-key filter; the client's half-close does *not* end the session (the output keeps
flowing, DESIGN.md §8) and is passed on as ``write_eof`` only when ``close_stdin`` (the
container's ``StdinOnce`` without a TTY: moby's CopyStreams rule). Detach keys or a
lost client connection end the session at once. Errors after the hijack cannot be HTTP
errors any more: on a multiplexed stream they go out as a stdcopy ``systemerr`` frame,
on a raw stream as text.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from berth import errdefs
from berth._util import stdcopy

from .backends import StreamPair
from .detachkeys import DetachFilter
from .hijack import HijackedConnection

log = logging.getLogger("berth.api")
CHUNK = 32 * 1024


@dataclass
class SessionOptions:
    stdin: bool
    close_stdin: bool
    detach_keys: bytes
    multiplexed: bool


async def _output(src: StreamPair, conn: HijackedConnection) -> None:
    reader = src[0]
    while True:
        chunk = await reader.read(CHUNK)
        if not chunk:
            return
        await conn.write(chunk)


async def _input(conn: HijackedConnection, src: StreamPair, opts: SessionOptions) -> str:
    """Forward client bytes; returns why it stopped: ``eof``, ``detach`` or ``closed``."""
    writer = src[1]
    filt = DetachFilter(opts.detach_keys)
    while True:
        chunk = await conn.reader.read(CHUNK)
        if not chunk:
            if conn.is_closed:
                return "closed"
            if opts.stdin and opts.close_stdin:
                with contextlib.suppress(OSError, RuntimeError):
                    writer.write_eof()
            return "eof"
        if not opts.stdin:
            continue  # not attached to stdin: drop what the client sends
        data = filt.feed(chunk)
        if data:
            writer.write(data)
            await writer.drain()
        if filt.detached:
            return "detach"


async def report_error(conn: HijackedConnection, exc: BaseException, multiplexed: bool) -> None:
    """Tell the client what went wrong after the status line was sent."""
    msg = exc.message if isinstance(exc, errdefs.BerthError) else str(exc) or type(exc).__name__
    data = msg.encode() + b"\n"
    with contextlib.suppress(OSError):
        await conn.write(stdcopy.frame(stdcopy.SYSTEMERR, data) if multiplexed
                         else data)


async def run(conn: HijackedConnection, src: StreamPair, opts: SessionOptions) -> None:
    """Pump both ways until output ends, the client detaches, or it goes away."""
    out = asyncio.ensure_future(_output(src, conn))
    inp = asyncio.ensure_future(_input(conn, src, opts))
    closed = asyncio.ensure_future(conn.wait_closed())
    try:
        pending: set[asyncio.Future[object]] = {out, inp, closed}  # type: ignore[arg-type]
        while out in pending:
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            if closed in done:
                return
            if inp in done and inp.result() == "detach":
                return
        out.result()
    finally:
        for task in (out, inp, closed):
            task.cancel()
        await asyncio.gather(out, inp, closed, return_exceptions=True)
        with contextlib.suppress(OSError, RuntimeError):
            src[1].close()
