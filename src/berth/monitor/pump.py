"""An exec's output and input, as a part of the exec monitor's loop (``loop.Monitor``).

Output (``stdio.out``/``stdio.err``, non-blocking) is read in chunks of up to 64 KiB and
queued raw to every attacher that wants that stream (stdcopy-framed unless it has a
TTY). An exec has no log.
An attacher's stdin bytes are buffered and written as the container's stdin pipe (or pty)
takes them; EOF of the output (EIO from a pty whose last slave closed) closes it.
"""

from __future__ import annotations

import os
import select

from berth.monitor.conn import frame

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from berth.monitor.conn import Conn
    from berth.monitor.execmon import ExecSetup
    from berth.monitor.stdio import Stdio

IN, OUT = select.POLLIN, select.POLLOUT
GONE = select.POLLHUP | select.POLLERR | select.POLLNVAL


class Pump:
    """Mixin of ``loop.Monitor``: the attributes below are set by its ``__init__``."""

    s: ExecSetup
    stdio: Stdio
    poll: select.poll
    handlers: dict[int, Callable[[int], None]]
    conns: dict[int, Conn]
    outputs: dict[int, str]
    stdin_buf: bytearray
    stdin_eof: bool
    exit: dict[str, Any] | None

    if TYPE_CHECKING:
        def _drop(self, conn: Conn) -> None: ...
        def _flush_conn(self, conn: Conn) -> None: ...
        def _conn_mask(self, conn: Conn) -> None: ...

    def _output_handler(self, fd: int) -> Callable[[int], None]:
        return lambda ev: self._on_output(fd, ev)

    def _on_output(self, fd: int, ev: int) -> None:
        if ev & OUT:
            self._flush_stdin()
        if not ev & (IN | GONE):
            return
        try:
            data = os.read(fd, 1 << 16)
        except BlockingIOError:
            return
        except OSError:  # EIO: the pty's last slave fd closed
            data = b""
        if not data:
            self._close_output(fd)
            return
        stream = self.outputs[fd]
        wire = data if self.stdio.tty else frame(stream, data)
        for conn in list(self.conns.values()):
            if conn.wants(stream) and not conn.queue(wire):
                self._drop(conn)
            elif conn.wants(stream):
                self._flush_conn(conn)

    def _close_output(self, fd: int) -> None:
        self.outputs.pop(fd)
        self.poll.unregister(fd)
        del self.handlers[fd]
        if fd == self.stdio.inp:
            self.stdio.inp = None
        os.close(fd)

    def feed_stdin(self, data: bytes) -> None:
        if self.stdio.inp is None or self.exit is not None:
            return
        self.stdin_buf += data
        self._flush_stdin()

    def _flush_stdin(self) -> None:
        fd = self.stdio.inp
        try:
            while fd is not None and self.stdin_buf:
                n = os.write(fd, self.stdin_buf)
                del self.stdin_buf[:n]
        except BlockingIOError:
            pass
        except OSError:  # the container closed its stdin
            self.stdin_buf.clear()
            self.stdin_eof = True
        if self.stdin_eof and not self.stdin_buf and fd is not None:
            self._close_stdin()
        self._set_stdin_mask()

    def _close_stdin(self) -> None:
        fd = self.stdio.inp
        if fd is not None and fd not in self.outputs:
            self.handlers.pop(fd, None)
            try:
                self.poll.unregister(fd)
            except KeyError:
                pass
        self.stdio.close_input()

    def _set_stdin_mask(self) -> None:
        fd = self.stdio.inp
        if fd is None:
            return
        mask = (IN if fd in self.outputs else 0) | (OUT if self.stdin_buf else 0)
        if mask:
            self.poll.register(fd, mask)
        else:
            try:
                self.poll.unregister(fd)
            except KeyError:
                pass
        for conn in self.conns.values():
            self._conn_mask(conn)

    def end_stdin(self) -> None:
        """StdinOnce: the attached client closed its stdin, so the container's ends too."""
        self.stdin_eof = True
        self._flush_stdin()
