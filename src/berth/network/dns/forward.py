"""Forwarding a query the name table does not answer to the upstream servers (asyncio).

Servers are tried in order. Each try uses a fresh socket (a new random source port per
query, so a forged reply must guess port and id). A client that asked over UDP is
forwarded over UDP; a truncated upstream reply is asked again over TCP, and ``core.relay``
fits the whole answer back into the client's datagram. A client that asked over TCP is
forwarded over TCP. Timeouts, refused connections, SERVFAIL/REFUSED move on to the next
server; when none is left the caller answers SERVFAIL.

Sockets come from ``make_socket`` so they can be opened in another namespace than the
caller's (tests run the "host" in a throwaway netns).
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
import struct
from collections.abc import Callable

from .core import Query, Verdict, classify

log = logging.getLogger(__name__)
SocketFactory = Callable[[int, int], socket.socket]  # (family, type) → a socket


def plain_socket(family: int, kind: int) -> socket.socket:
    """A non-blocking socket in the caller's namespace."""
    sock = socket.socket(family, kind)
    sock.setblocking(False)
    return sock


async def forward(q: Query, servers: list[tuple[str, int]], *, tcp: bool, timeout: float,
                  make_socket: SocketFactory = plain_socket) -> bytes | None:
    """The first usable reply from ``servers`` (a ``Verdict.OK`` one), or None."""
    for server in servers:
        try:
            async with asyncio.timeout(timeout):
                wire = await (_tcp if tcp else _udp)(q, server, make_socket)
            verdict = classify(q, wire)
            if verdict is Verdict.TRUNCATED and not tcp:
                async with asyncio.timeout(timeout):
                    wire = await _tcp(q, server, make_socket)
                verdict = classify(q, wire)
        except (TimeoutError, OSError, EOFError) as exc:
            log.debug("dns: upstream %s:%d for %s: %r", *server, q.name, exc)
            continue
        if verdict is Verdict.OK:
            return wire
        log.debug("dns: upstream %s:%d for %s: %s", *server, q.name, verdict.value)
    return None


def _address(server: tuple[str, int]) -> tuple[int, tuple[str, int] | tuple[str, int, int, int]]:
    host, port = server
    if ipaddress.ip_address(host.split("%")[0]).version == 6:
        return socket.AF_INET6, (host, port, 0, 0)
    return socket.AF_INET, (host, port)


async def _udp(q: Query, server: tuple[str, int], make_socket: SocketFactory) -> bytes:
    """One datagram out; the first datagram back that answers this query (others from the
    connected peer, e.g. late replies to an earlier try, are skipped)."""
    loop = asyncio.get_running_loop()
    family, addr = _address(server)
    sock = make_socket(family, socket.SOCK_DGRAM)
    try:
        await loop.sock_connect(sock, addr)
        await loop.sock_sendall(sock, q.wire)
        while True:
            data = await loop.sock_recv(sock, 65535)
            if classify(q, data) is not Verdict.BAD:
                return data
    finally:
        sock.close()


async def _tcp(q: Query, server: tuple[str, int], make_socket: SocketFactory) -> bytes:
    """RFC 1035 §4.2.2 framing: a two-byte length before each message."""
    loop = asyncio.get_running_loop()
    family, addr = _address(server)
    sock = make_socket(family, socket.SOCK_STREAM)
    try:
        await loop.sock_connect(sock, addr)
        await loop.sock_sendall(sock, struct.pack("!H", len(q.wire)) + q.wire)
        (size,) = struct.unpack("!H", await _recv_exact(sock, 2))
        return await _recv_exact(sock, size)
    finally:
        sock.close()


async def _recv_exact(sock: socket.socket, n: int) -> bytes:
    loop = asyncio.get_running_loop()
    buf = bytearray()
    while len(buf) < n:
        chunk = await loop.sock_recv(sock, n - len(buf))
        if not chunk:
            raise EOFError("upstream closed the connection")
        buf += chunk
    return bytes(buf)
