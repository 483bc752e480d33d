"""Byte channels between the event loop and one worker thread, with back-pressure.

The image service is synchronous and runs in a thread pool, while request and
response bodies live on the event loop. ``BodyPipe`` carries a request body from the
loop to a thread that reads it as a file; ``OutputPipe`` carries what a thread writes
to a file-like back to the loop, which streams it out. Each holds at most ``limit``
bytes: the faster side waits. Either side can give up: a reader that closes makes the
feeder discard, a client that disconnects makes the writer's next ``write`` raise.
"""

from __future__ import annotations

import asyncio
import io
import threading
from collections import deque
from typing import Any

DEFAULT_LIMIT = 1 << 20


def _resolve(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)


class _Channel:
    """Shared state: chunks, producer end (eof/error), consumer gone, one async waiter."""

    def __init__(self, loop: asyncio.AbstractEventLoop, limit: int) -> None:
        self._loop = loop
        self._limit = limit
        self._cond = threading.Condition()
        self._chunks: deque[bytes] = deque()
        self._size = 0
        self._eof = False
        self._error: BaseException | None = None
        self._gone = False
        self._waiter: asyncio.Future[None] | None = None

    def _wake_async(self) -> None:
        """Called with the lock held, from the worker thread."""
        waiter, self._waiter = self._waiter, None
        if waiter is not None:
            self._loop.call_soon_threadsafe(_resolve, waiter)

    def _park(self) -> asyncio.Future[None]:
        """Called with the lock held, on the loop: a future the thread side resolves."""
        self._waiter = self._loop.create_future()
        return self._waiter


class BodyPipe(_Channel):
    """Loop feeds bytes; a worker thread reads them through ``reader()``."""

    def __init__(self, loop: asyncio.AbstractEventLoop, limit: int = DEFAULT_LIMIT) -> None:
        super().__init__(loop, limit)

    async def feed(self, data: bytes) -> None:
        """Queue ``data``, waiting while the buffer is full; dropped if the reader left."""
        while True:
            with self._cond:
                if self._gone:
                    return
                if self._size < self._limit:
                    self._chunks.append(bytes(data))
                    self._size += len(data)
                    self._cond.notify_all()
                    return
                waiter = self._park()
            await waiter

    def feed_eof(self) -> None:
        with self._cond:
            self._eof = True
            self._cond.notify_all()

    def abort(self, exc: BaseException) -> None:
        """The body cannot be completed (client gone): the reader raises ``exc``."""
        with self._cond:
            self._error = exc
            self._cond.notify_all()

    @property
    def reader_gone(self) -> bool:
        return self._gone

    def readinto(self, buf: memoryview) -> int:
        with self._cond:
            while not self._chunks and not self._eof and self._error is None:
                self._cond.wait()
            if self._error is not None:
                raise self._error
            if not self._chunks:
                return 0
            chunk = self._chunks[0]
            n = min(len(buf), len(chunk))
            buf[:n] = chunk[:n]
            if n == len(chunk):
                self._chunks.popleft()
            else:
                self._chunks[0] = chunk[n:]
            self._size -= n
            self._wake_async()
            return n

    def close_reader(self) -> None:
        with self._cond:
            self._gone = True
            self._chunks.clear()
            self._size = 0
            self._wake_async()

    def reader(self, buffer_size: int = 1 << 16) -> io.BufferedReader:
        """A blocking binary file over the pipe, for use on the worker thread."""
        return io.BufferedReader(_RawReader(self), buffer_size)


class _RawReader(io.RawIOBase):
    def __init__(self, pipe: BodyPipe) -> None:
        self._pipe = pipe

    def readable(self) -> bool:
        return True

    def readinto(self, buf: Any) -> int:
        return self._pipe.readinto(memoryview(buf).cast("B"))

    def close(self) -> None:
        if not self.closed:
            self._pipe.close_reader()
        super().close()


class OutputPipe(_Channel):
    """A worker thread writes through ``writer()``; the loop takes chunks with ``get``."""

    def __init__(self, loop: asyncio.AbstractEventLoop, limit: int = DEFAULT_LIMIT) -> None:
        super().__init__(loop, limit)
        self.written = 0

    def write(self, data: bytes) -> None:
        with self._cond:
            while self._size >= self._limit and not self._gone:
                self._cond.wait()
            if self._gone:
                raise BrokenPipeError("the client went away")
            self._chunks.append(data)
            self._size += len(data)
            self.written += len(data)
            self._wake_async()

    def finish(self, exc: BaseException | None = None) -> None:
        """Producer done: ``get`` returns None after the last chunk, or raises ``exc``."""
        with self._cond:
            self._eof = True
            self._error = exc
            self._wake_async()

    async def get(self) -> bytes | None:
        """Next chunk, None at the end; raises the producer's error after the data."""
        while True:
            with self._cond:
                if self._chunks:
                    chunk = self._chunks.popleft()
                    self._size -= len(chunk)
                    self._cond.notify_all()
                    return chunk
                if self._error is not None:
                    raise self._error
                if self._eof:
                    return None
                waiter = self._park()
            await waiter

    def abort(self) -> None:
        """The consumer is gone: pending and future writes fail with BrokenPipeError."""
        with self._cond:
            self._gone = True
            self._chunks.clear()
            self._size = 0
            self._cond.notify_all()

    def writer(self, buffer_size: int = 1 << 17) -> PipeWriter:
        """A blocking binary file feeding the pipe, for use on the worker thread."""
        return PipeWriter(self, buffer_size)


class PipeWriter(io.RawIOBase):
    """Coalesces small writes (tar headers) into chunks; ``discard`` drops the tail."""

    def __init__(self, pipe: OutputPipe, buffer_size: int) -> None:
        self._pipe = pipe
        self._size = buffer_size
        self._buf = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        if self.closed:
            raise ValueError("write to closed file")
        view = memoryview(data).cast("B")
        self._buf += view
        if len(self._buf) >= self._size:
            self.flush()
        return len(view)

    def flush(self) -> None:
        if self._buf:
            chunk, self._buf = bytes(self._buf), bytearray()
            self._pipe.write(chunk)

    def discard(self) -> None:
        """Forget unflushed bytes (the producer failed; they must not be sent)."""
        self._buf = bytearray()

    def tell(self) -> int:
        return self._pipe.written + len(self._buf)

    def seekable(self) -> bool:
        return False
