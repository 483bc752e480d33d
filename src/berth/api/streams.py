"""Streaming responses: moby's JSON message streams and running sync work with progress.

A ``JSONStream`` sends nothing until the first message, so an error that happens
before any output is still a normal HTTP error (moby does the same via
``output.Flushed()``); once the 200 is out, errors go in-band as
``{"errorDetail":{"message":…},"error":…}``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import msgspec
from aiohttp import web

from berth import errdefs

T = TypeVar("T")
Progress = Callable[[dict[str, Any]], None]
log = logging.getLogger("berth.api")


def encode_line(obj: Any) -> bytes:
    return msgspec.json.encode(obj) + b"\n"


class JSONStream:
    """One JSON object per line, ``application/json``, started lazily."""

    def __init__(self, request: web.Request) -> None:
        self._request = request
        self._resp: web.StreamResponse | None = None

    @property
    def started(self) -> bool:
        return self._resp is not None

    async def _start(self) -> web.StreamResponse:
        if self._resp is None:
            resp = web.StreamResponse(headers={"Content-Type": "application/json"})
            resp.enable_chunked_encoding()
            await resp.prepare(self._request)
            self._resp = resp
        return self._resp

    async def send(self, msg: dict[str, Any]) -> None:
        resp = await self._start()
        await resp.write(encode_line(msg))

    async def fail(self, exc: BaseException) -> web.StreamResponse:
        """Re-raise before the first byte (normal error); report in-band after it."""
        if not self.started:
            raise exc
        if not isinstance(exc, errdefs.BerthError):
            log.error("stream %s failed: %s", self._request.path, exc, exc_info=exc)
        message = exc.message if isinstance(exc, errdefs.BerthError) else str(exc)
        await self.send({"errorDetail": {"message": message}, "error": message})
        return await self.finish()

    async def finish(self) -> web.StreamResponse:
        resp = await self._start()
        await resp.write_eof()
        return resp


async def run_with_progress(executor: concurrent.futures.Executor,
                            fn: Callable[[Progress], T],
                            send: Callable[[dict[str, Any]], Awaitable[None]]) -> T:
    """Run ``fn(progress)`` on ``executor``; each progress dict is awaited into ``send``.

    Progress callbacks are queued with ``call_soon_threadsafe`` before ``fn`` returns, so
    they are all in the queue by the time its completion is seen: none is lost.
    """
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    def progress(msg: dict[str, Any]) -> None:
        loop.call_soon_threadsafe(queue.put_nowait, msg)

    work = loop.run_in_executor(executor, fn, progress)
    try:
        while not work.done():
            getter: asyncio.Future[Any] = asyncio.ensure_future(queue.get())
            waiting: set[asyncio.Future[Any]] = {getter, work}
            done, _ = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
            if getter in done:
                await send(getter.result())
            else:
                getter.cancel()
        while not queue.empty():
            await send(queue.get_nowait())
    except BaseException:
        work.cancel()
        raise
    return work.result()
