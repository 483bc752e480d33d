"""Adapting what a backend returns for a stream into an async iterator.

Backends may answer a streaming call with an async iterator (loop-side, e.g. a followed
log), a blocking iterator (e.g. reading a log file) or a binary file object (e.g. an
export tarball). The routes want one shape: ``async for item in as_async(...)``. Blocking
steps run on the API's thread pool, one ``next()``/``read()`` per hop, so a follow that
blocks does not hold the loop.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import inspect
from collections.abc import AsyncIterator, Iterator
from typing import Any

CHUNK = 64 * 1024
_DONE = object()


def _next(it: Iterator[Any]) -> Any:
    return next(it, _DONE)


async def as_async(executor: concurrent.futures.Executor, source: Any) -> AsyncIterator[Any]:
    """Yield the items of ``source`` (awaitable, async iterable, iterable or file)."""
    if inspect.isawaitable(source):
        source = await source
    loop = asyncio.get_running_loop()
    if hasattr(source, "__aiter__"):
        async for item in source:
            yield item
        return
    if hasattr(source, "read"):
        try:
            while chunk := await loop.run_in_executor(executor, source.read, CHUNK):
                yield chunk
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                await loop.run_in_executor(executor, close)
        return
    it = iter(source)
    try:
        while (item := await loop.run_in_executor(executor, _next, it)) is not _DONE:
            yield item
    finally:
        close = getattr(it, "close", None)
        if close is not None:
            with contextlib.suppress(ValueError):  # still running in a worker thread
                close()
