"""Taking over an aiohttp connection for attach and exec (moby's hijack).

Why not ``request.content`` and a ``StreamResponse``: aiohttp closes the connection when
the client half-closes its write side (the docker CLI shuts down writing ~1 ms after the
101 when it attaches no stdin), which would drop the container's output; and a 200 with
no length would be sent chunked. So (DESIGN.md §8):

1. swap the transport's protocol for ``RawProtocol`` (a stream-reader protocol whose
   ``eof_received`` keeps the transport open for writing), keeping aiohttp's protocol
   so its ``connection_lost`` still runs and handler cancellation still works;
2. write the status line ourselves, at once: ``101 UPGRADED`` when the client asked for
   ``Upgrade``, else ``200 OK`` with no length (moby does the same), then raw bytes;
3. the handler returns ``HijackedResponse``, which aiohttp "prepares" without writing.

This leans on aiohttp internals (``request.protocol``, ``_message_tail``); the unit
tests drive it with a raw socket and the e2e tests with the real docker CLI.
"""

from __future__ import annotations

import asyncio
import email.utils
import fcntl
import socket
import sys
import termios
import weakref
from typing import Any

from aiohttp import web

from .errors import STARTED
from .versioning import common_headers

MULTIPLEXED = "application/vnd.docker.multiplexed-stream"
RAW = "application/vnd.docker.raw-stream"
_READ_LIMIT = 1 << 20


class RawProtocol(asyncio.Protocol):
    """The hijacked connection's protocol: bytes in → ``reader``, write flow control."""

    def __init__(self, previous: Any, reader: asyncio.StreamReader) -> None:
        self.reader = reader
        self._previous = previous
        self._paused = False
        self._drain: asyncio.Future[None] | None = None
        self.closed = asyncio.get_running_loop().create_future()

    def data_received(self, data: bytes) -> None:
        self.reader.feed_data(data)

    def eof_received(self) -> bool:
        self.reader.feed_eof()
        return True  # half-close: keep writing output

    def pause_writing(self) -> None:
        self._paused = True

    def resume_writing(self) -> None:
        self._paused = False
        if self._drain is not None and not self._drain.done():
            self._drain.set_result(None)

    async def drain(self) -> None:
        if self.closed.done():
            raise ConnectionResetError("client connection closed")
        if self._paused:
            self._drain = asyncio.get_running_loop().create_future()
            await asyncio.wait([self._drain, self.closed], return_when=asyncio.FIRST_COMPLETED)

    def connection_lost(self, exc: Exception | None) -> None:
        self.reader.feed_eof()
        if not self.closed.done():
            self.closed.set_result(None)
        if self._drain is not None and not self._drain.done():
            self._drain.set_result(None)
        if self._previous is not None:
            self._previous.connection_lost(exc)


class HijackedConnection:
    """The client's connection after the hijack: ``reader`` for its bytes, ``write``."""

    def __init__(self, transport: asyncio.Transport, protocol: RawProtocol) -> None:
        self.transport = transport
        self.protocol = protocol
        self.reader = protocol.reader

    @property
    def is_closed(self) -> bool:
        return self.protocol.closed.done() or self.transport.is_closing()

    async def write(self, data: bytes) -> None:
        if self.is_closed:
            raise ConnectionResetError("client connection closed")
        self.transport.write(data)
        await self.protocol.drain()

    async def peer_read_all(self, timeout: float = 0.05) -> None:
        """Wait (at most ``timeout``) until a unix-socket client has read everything sent.

        Why: docker-py reads the 101 through a buffered reader and then reads the raw
        socket, so bytes that reach it in the same ``recv`` as the status line are lost
        (DESIGN.md §8). Output that is ready at once (a ``logs=1`` replay) waits until
        the kernel says the status line left the client's receive queue (``SIOCOUTQ``).
        """
        sock = self.transport.get_extra_info("socket")
        if sock is None or sock.family != socket.AF_UNIX:
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self.is_closed and loop.time() < deadline:
            try:
                raw = fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, b"\0\0\0\0")
            except OSError:
                return
            if int.from_bytes(raw, sys.byteorder) == 0:
                return
            await asyncio.sleep(0.001)

    async def wait_closed(self) -> None:
        await asyncio.shield(self.protocol.closed)

    def close(self) -> None:
        """Flush what is buffered and close (``Transport.close`` flushes first)."""
        if not self.transport.is_closing():
            self.transport.close()


HIJACKED: web.AppKey[weakref.WeakSet[HijackedConnection]] = web.AppKey("hijacked")


class HijackedResponse(web.StreamResponse):
    """What a hijacking handler returns: aiohttp must write nothing more."""

    async def prepare(self, request: web.BaseRequest) -> None:
        return None

    async def write_eof(self, data: bytes = b"") -> None:
        return None


def wants_upgrade(request: web.BaseRequest) -> bool:
    conn = request.headers.get("Connection", "").lower()
    return "upgrade" in conn and bool(request.headers.get("Upgrade"))


def _status_block(upgrade: bool, content_type: str) -> bytes:
    lines = ["HTTP/1.1 101 UPGRADED" if upgrade else "HTTP/1.1 200 OK",
             f"Content-Type: {content_type}"]
    if upgrade:
        lines += ["Connection: Upgrade", "Upgrade: tcp"]
    lines += [f"{k}: {v}" for k, v in common_headers().items()]
    lines.append(f"Date: {email.utils.formatdate(usegmt=True)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def hijack(request: web.Request, content_type: str) -> HijackedConnection:
    """Take the connection over and send the status line now (before any output)."""
    transport = request.transport
    if transport is None or transport.is_closing():
        raise ConnectionResetError("client went away before the hijack")
    assert isinstance(transport, asyncio.Transport)
    previous = request.protocol
    reader = asyncio.StreamReader(limit=_READ_LIMIT)
    reader.set_transport(transport)
    proto = RawProtocol(previous, reader)
    transport.set_protocol(proto)
    tail = getattr(previous, "_message_tail", b"")
    if tail:  # bytes the client sent right behind its request
        reader.feed_data(tail)
        previous._message_tail = b""
    request[STARTED] = True
    conn = HijackedConnection(transport, proto)
    request.app[HIJACKED].add(conn)
    await conn.write(_status_block(wants_upgrade(request), content_type))
    transport.resume_reading()
    return conn


def install(app: web.Application) -> None:
    """Track hijacked connections so that shutdown closes them: aiohttp no longer sees
    them as requests in flight and would otherwise wait for its shutdown timeout."""
    live: weakref.WeakSet[HijackedConnection] = weakref.WeakSet()
    app[HIJACKED] = live

    async def close_all(app: web.Application) -> None:
        for conn in list(live):
            conn.close()

    app.on_shutdown.append(close_all)
