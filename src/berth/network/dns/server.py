"""``EmbeddedDNS``: docker's 127.0.0.11 resolver, one UDP and one TCP listener per container.

``start_for`` opens both sockets inside the container's netns from a short-lived thread
(``netns.run_in``: the sockets keep that namespace) and hands them to the event loop; the
loop answers names from ``lookup`` (and ``reverse`` for PTR) and forwards the rest from
berthd's own namespace. ``lookup``/``reverse`` may block (they read the network DB), so
they run on two private threads, never on the loop.

The loop is berthd's when given; otherwise the server runs its own loop on a daemon
thread, so blocking callers (netglue, tests) need no loop at all. ``start_for`` /
``stop_for`` / ``close`` are thread-safe; ``start_for`` must not be called on the loop's
own thread (it waits for the loop).

dnspython (``core``, ``forward``) is imported with the first query, not with berthd:
a daemon that never runs a container on a user network does not carry it (~2.6 MiB).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import errno
import logging
import random
import socket
import struct
import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from berth.errdefs import FailedPrecondition, NotFound

from .. import netns as netns_mod
from .upstream import parse_server

TYPE_CHECKING = False
if TYPE_CHECKING:
    from . import core

log = logging.getLogger(__name__)

Lookup = Callable[[str, str], list[str] | None]  # (cid, name) → IPs, None: not ours
Reverse = Callable[[str, str], str | None]  # (cid, ip) → host name, None: not ours

ADDRESS = ("127.0.0.11", 53)
MAX_PENDING = 256  # per container: queries being answered at once; more are dropped
MAX_TCP = 32  # per container: open TCP connections
MAX_FORWARDS = 100  # in all: queries waiting on upstream servers (docker's limit too)
TCP_IDLE = 10.0  # seconds a TCP client may stay silent
IP_FREEBIND = 15  # linux/in.h: bind even if lo is not up yet (but it must be up before the
#                   first answer: a socket bound while it was down answers from 127.0.0.1)


@dataclass(eq=False)
class _Listener:
    cid: str
    servers: list[tuple[str, int]] | None
    udp: asyncio.DatagramTransport | None = None
    tcp: asyncio.Server | None = None
    tasks: set[asyncio.Task[Any]] = field(default_factory=set)
    conns: set[asyncio.StreamWriter] = field(default_factory=set)

    def close(self) -> None:
        """On the loop thread: stop listening and drop queries in flight."""
        if self.udp is not None:
            self.udp.close()
        if self.tcp is not None:
            self.tcp.close()
        for writer in list(self.conns):
            writer.close()
        for task in list(self.tasks):
            task.cancel()


class EmbeddedDNS:
    """The embedded DNS server for all containers on user-defined networks."""

    def __init__(self, lookup: Lookup, upstream: list[str], *, reverse: Reverse | None = None,
                 loop: asyncio.AbstractEventLoop | None = None, timeout: float = 2.0,
                 host_netns: str | None = None, address: tuple[str, int] = ADDRESS) -> None:
        self._lookup, self._reverse = lookup, reverse
        self._servers = [parse_server(u) for u in upstream]
        self._timeout, self._address, self._host_netns = timeout, address, host_netns
        self._pool = concurrent.futures.ThreadPoolExecutor(2, thread_name_prefix="berth-dns")
        self._lock = threading.Lock()
        self._listeners: dict[str, _Listener] = {}
        self._forwards = 0
        self._closed = False
        self._thread: threading.Thread | None = None
        if loop is None:
            loop = asyncio.new_event_loop()
            self._thread = threading.Thread(target=loop.run_forever, name="berth-dns-loop",
                                            daemon=True)
            self._thread.start()
        self._loop = loop

    # -- the contract (thread-safe) ------------------------------------------------------

    def start_for(self, cid: str, netns: str, upstream: list[str] | None = None) -> None:
        """Listen on 127.0.0.11:53 (UDP and TCP) inside ``netns`` for container ``cid``;
        ``upstream`` replaces the daemon's servers for it (``--dns`` on a user network).
        Starting again replaces the old listeners."""
        servers = [parse_server(u) for u in upstream] if upstream else None
        if self._on_loop():
            raise RuntimeError("EmbeddedDNS.start_for waits for the event loop: "
                               "call it from a worker thread")
        with self._lock:
            if self._closed:
                raise FailedPrecondition("embedded DNS server is closed")
            self._stop(cid)
            udp, tcp = self._open(cid, netns)
            try:
                fut = asyncio.run_coroutine_threadsafe(self._serve(cid, udp, tcp, servers),
                                                       self._loop)
                fut.result(timeout=30)
            except BaseException:
                udp.close()
                tcp.close()
                raise

    def stop_for(self, cid: str) -> None:
        """Close container ``cid``'s listeners; idempotent."""
        with self._lock:
            self._stop(cid)

    def close(self) -> None:
        """Close every listener and stop the private loop, if any; idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            for cid in list(self._listeners):
                self._stop(cid)
        self._pool.shutdown(wait=False, cancel_futures=True)
        if self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
            self._loop.close()

    def serving(self) -> list[str]:
        """Containers with listeners (for tests and diagnostics)."""
        return list(self._listeners)

    # -- plumbing ------------------------------------------------------------------------

    def _on_loop(self) -> bool:
        try:
            return asyncio.get_running_loop() is self._loop
        except RuntimeError:
            return False

    def _stop(self, cid: str) -> None:
        """Under the lock: close ``cid``'s listener on the loop thread, and wait."""
        listener = self._listeners.pop(cid, None)
        if listener is None:
            return
        if self._on_loop() or not self._loop.is_running():
            listener.close()
            return

        async def close() -> None:
            listener.close()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(timeout=30)

    def _open(self, cid: str, netns: str) -> tuple[socket.socket, socket.socket]:
        """Both listening sockets, bound inside ``netns`` (they keep it)."""
        host, port = self._address

        def body() -> tuple[socket.socket, socket.socket]:
            udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                for s in (udp, tcp):
                    s.setsockopt(socket.SOL_IP, IP_FREEBIND, 1)
                    s.setblocking(False)
                tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                udp.bind((host, port))
                tcp.bind((host, port))
                tcp.listen(64)
            except BaseException:
                udp.close()
                tcp.close()
                raise
            return udp, tcp

        try:
            return netns_mod.run_in(netns, body)
        except FileNotFoundError:
            raise NotFound(f"container {cid[:12]}: network namespace {netns} not found") \
                from None
        except OSError as exc:
            why = exc.strerror or errno.errorcode.get(exc.errno or 0, str(exc))
            raise FailedPrecondition(f"container {cid[:12]}: embedded DNS cannot listen on "
                                     f"{host}:{port} in {netns}: {why}") from None

    async def _serve(self, cid: str, udp: socket.socket, tcp: socket.socket,
                     servers: list[tuple[str, int]] | None) -> None:
        loop = asyncio.get_running_loop()
        listener = _Listener(cid, servers)
        try:
            listener.udp, _ = await loop.create_datagram_endpoint(
                lambda: _UDP(self, listener), sock=udp)
            listener.tcp = await asyncio.start_server(
                lambda r, w: self._tcp_client(listener, r, w), sock=tcp)
        except BaseException:
            listener.close()
            raise
        self._listeners[cid] = listener

    def _make_socket(self, family: int, kind: int) -> socket.socket:
        from .forward import plain_socket

        if self._host_netns is None:
            return plain_socket(family, kind)
        return netns_mod.run_in(self._host_netns, lambda: plain_socket(family, kind))

    # -- answering -----------------------------------------------------------------------

    async def handle(self, cid: str, wire: bytes, tcp: bool,
                     servers: list[tuple[str, int]] | None = None) -> bytes | None:
        """The reply bytes for one query from container ``cid`` (None: send nothing)."""
        from . import core
        from .forward import forward

        parsed = core.parse(wire)
        if not isinstance(parsed, core.Query):
            return parsed
        q = parsed
        try:
            resp = await self._local(cid, q)
        except Exception:
            log.exception("dns: name table lookup for %s failed", q.name)
            return core.servfail(q)
        if resp is not None:
            return core.render(q, resp, tcp)
        if self._forwards >= MAX_FORWARDS:
            return core.servfail(q)
        self._forwards += 1
        try:
            reply = await forward(q, servers or self._servers, tcp=tcp,
                                  timeout=self._timeout, make_socket=self._make_socket)
        finally:
            self._forwards -= 1
        return core.servfail(q) if reply is None else core.relay(q, reply, tcp)

    async def _local(self, cid: str, q: core.Query) -> Any:
        from . import core

        loop = asyncio.get_running_loop()
        name = core.local_name(q)
        if name is not None:
            ips = await loop.run_in_executor(self._pool, self._lookup, cid, name)
            if ips:
                ips = random.sample(ips, len(ips))  # round robin over several holders
            return core.answer_addresses(q, ips)
        ip = core.ptr_address(q)
        if ip is not None and self._reverse is not None:
            host = await loop.run_in_executor(self._pool, self._reverse, cid, ip)
            return core.answer_ptr(q, host)
        return None

    def _track(self, listener: _Listener, coro: Coroutine[Any, Any, None]) -> bool:
        if len(listener.tasks) >= MAX_PENDING:
            coro.close()
            return False
        task = self._loop.create_task(coro)
        listener.tasks.add(task)
        task.add_done_callback(listener.tasks.discard)
        return True

    async def _tcp_client(self, listener: _Listener, reader: asyncio.StreamReader,
                          writer: asyncio.StreamWriter) -> None:
        if len(listener.conns) >= MAX_TCP:
            writer.close()
            return
        listener.conns.add(writer)
        task = asyncio.current_task()
        if task is not None:
            listener.tasks.add(task)
        try:
            while True:
                async with asyncio.timeout(TCP_IDLE):
                    (size,) = struct.unpack("!H", await reader.readexactly(2))
                    wire = await reader.readexactly(size)
                out = await self.handle(listener.cid, wire, True, listener.servers)
                if out is None:
                    break
                writer.write(struct.pack("!H", len(out)) + out)
                await writer.drain()
        except (TimeoutError, asyncio.IncompleteReadError, ConnectionError):
            pass
        except Exception:
            log.exception("dns: TCP client of container %s", listener.cid[:12])
        finally:
            listener.conns.discard(writer)
            listener.tasks.discard(task)
            writer.close()


class _UDP(asyncio.DatagramProtocol):
    def __init__(self, server: EmbeddedDNS, listener: _Listener) -> None:
        self.server, self.listener = server, listener

    def datagram_received(self, data: bytes, addr: Any) -> None:
        self.server._track(self.listener, self._reply(data, addr))

    async def _reply(self, data: bytes, addr: Any) -> None:
        try:
            out = await self.server.handle(self.listener.cid, data, False,
                                           self.listener.servers)
        except Exception:
            log.exception("dns: query from container %s", self.listener.cid[:12])
            return
        udp = self.listener.udp
        if out is not None and udp is not None and not udp.is_closing():
            udp.sendto(out, addr)

    def error_received(self, exc: Exception) -> None:
        log.debug("dns: container %s: %r", self.listener.cid[:12], exc)
