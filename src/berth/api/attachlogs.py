"""``logs=1`` on attach (HTTP and websocket): replay the container's log first.

moby's ``containerAttach`` reads the whole log (``Tail: -1``) and writes each entry to the
attached stdout/stderr before it copies the live streams, and with ``stream=0`` it stops
there: that is how docker-py's ``attach(logs=True)`` gets a stopped container's output.
No docker CLI command sends ``logs`` (``attach`` and ``start -a`` only stream).

The live attach is registered *before* the replay starts (``start_live``): a pending
attach is connected by ``start`` between the spawner's reply and the monitor's start, so
a client that starts the container while the log is still being replayed loses nothing.
Lines written between the end of the log read and the live connection may show twice;
moby's order (log first, then attach) loses them instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from aiohttp import web

from .aiter import as_async
from .app import EXECUTOR
from .backends import StreamPair
from .backends_containers import ContainerBackend

Sink = Callable[[int, bytes], Awaitable[None]]


def start_live(svc: ContainerBackend, cid: str, *, stdin: bool, stdout: bool,
               stderr: bool) -> asyncio.Task[StreamPair]:
    """Register the live attach now (its first step runs before any other request is
    read) and connect it when the container runs. ``logs`` is False: the replay is ours."""
    return asyncio.ensure_future(svc.attach(cid, stdin=stdin, stdout=stdout, stderr=stderr,
                                            stream=True, logs=False))


async def replay(request: web.Request, svc: ContainerBackend, cid: str, *, stdout: bool,
                 stderr: bool, sink: Sink) -> None:
    """Feed every log entry of the selected streams to ``sink(stream, data)``."""
    if not (stdout or stderr):
        return
    source = svc.logs(cid, stdout=stdout, stderr=stderr, follow=False, since_ns=0, until_ns=0,
                      timestamps=False, tail=-1)
    async for stream, data in as_async(request.app[EXECUTOR], source):
        await sink(int(stream), data)


async def discard(live: asyncio.Task[StreamPair] | None) -> None:
    """Drop a live attach the session never used (cancel it, or close its stream)."""
    if live is None:
        return
    if not live.done():
        live.cancel()
    try:
        pair = await live
    except (asyncio.CancelledError, Exception):
        return
    pair[1].close()
