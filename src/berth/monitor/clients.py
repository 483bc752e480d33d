"""monitor.sock's connections, as a part of the monitor's loop (``loop.Monitor``).

The listener is non-blocking; each accepted client is a ``conn.Conn`` polled for input
(its request line, then stdin for attachers: ``ops.on_readable``) and, while it has
queued output, for output. An attacher's input is paused while the container's stdin
buffer holds more than ``MAX_STDIN`` bytes (back-pressure instead of unbounded memory).
"""

from __future__ import annotations

import _socket
import select

from berth.monitor.conn import Conn

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

IN, OUT = select.POLLIN, select.POLLOUT
MAX_STDIN = 1 << 20


class Clients:
    """Mixin of ``loop.Monitor``: the attributes below are set by its ``__init__``."""

    poll: select.poll
    listener: _socket.socket
    handlers: dict[int, Callable[[int], None]]
    conns: dict[int, Conn]
    stdin_buf: bytearray

    if TYPE_CHECKING:
        def _watch(self, fd: int, mask: int, handler: Callable[[int], None]) -> None: ...
        def _on_conn(self, conn: Conn, ev: int) -> None: ...

    def _accept(self, ev: int) -> None:
        try:
            # accept4(SOCK_CLOEXEC) in C; socket.py's accept would run Python code
            fd, _ = self.listener._accept()  # type: ignore[attr-defined]
        except BlockingIOError:
            return
        conn = Conn(_socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM, 0, fd))
        self.conns[conn.fd] = conn
        self._watch(conn.fd, IN, lambda ev: self._on_conn(conn, ev))

    def _flush_conn(self, conn: Conn) -> None:
        if not conn.flush():
            self._drop(conn)
        else:
            self._conn_mask(conn)

    def _conn_mask(self, conn: Conn) -> None:
        stdin_full = conn.wants("stdin") and len(self.stdin_buf) > MAX_STDIN
        mask = (IN if conn.reading and not stdin_full else 0) | (OUT if conn.outbuf else 0)
        self.poll.register(conn.fd, mask)

    def _drop(self, conn: Conn) -> None:
        self.conns.pop(conn.fd, None)
        self.handlers.pop(conn.fd, None)
        try:
            self.poll.unregister(conn.fd)
        except KeyError:
            pass
        conn.close()
