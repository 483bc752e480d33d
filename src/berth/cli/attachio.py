"""Pump a hijacked attach/exec connection: output to our stdout/stderr, stdin to it.

Output without a TTY is stdcopy-framed and demultiplexed; with a TTY it is copied raw.
Stdin runs in a thread; at its EOF we half-close our write side (the daemon closes the
container's stdin when StdinOnce), and keep reading output until the daemon's EOF.
The detach sequence (default Ctrl-P Ctrl-Q) is recognised in stdin, as docker's escape
proxy does: the prefix is held back, a full match ends the session ("detached").
"""

from __future__ import annotations

import os
import sys

from berth._util import stdcopy

TYPE_CHECKING = False
if TYPE_CHECKING:
    from berth.client.transport import Response


class Session:
    """One attached stream; :meth:`run` returns True when the user detached."""

    def __init__(self, resp: Response, tty: bool, stdin: bool,
                 detach_keys: bytes = b"\x10\x11") -> None:
        self.resp, self.tty, self.stdin = resp, tty, stdin
        self.keys = detach_keys
        self.detached = False  # set by the stdin thread, read after the output ends

    def run(self) -> bool:
        if self.stdin:
            import threading  # only with stdin attached: not on a plain run's path

            threading.Thread(target=self._pump_stdin, daemon=True).start()
        out = sys.stdout.buffer
        try:
            if self.tty:
                while True:
                    data = self.resp.read1(1 << 15)
                    if not data:
                        break
                    out.write(data)
                    out.flush()
            else:
                stdcopy.copy(lambda: self.resp.read1(1 << 15), out, sys.stderr.buffer)
        except OSError:
            if not self.detached:
                raise
        finally:
            self.resp.close()
        return self.detached

    def _pump_stdin(self) -> None:
        fd = sys.stdin.fileno()
        held = b""
        try:
            while True:
                data = os.read(fd, 1 << 15)
                if not data:
                    break
                if self.tty and self.keys:
                    data, held, hit = _escape(held + data, self.keys)
                    if hit:
                        self.detached = True
                        if data:
                            self.resp.send(data)
                        self.resp.close_write()
                        self._abort()
                        return
                if data:
                    self.resp.send(data)
            if held:
                self.resp.send(held)
            self.resp.close_write()
        except OSError:
            pass

    def _abort(self) -> None:
        """Stop the reader: shut the socket so its blocked read returns."""
        import _socket

        sock = self.resp.conn.sock
        if sock is not None:
            try:
                sock.shutdown(_socket.SHUT_RDWR)
            except OSError:
                pass


def _escape(data: bytes, keys: bytes) -> tuple[bytes, bytes, bool]:
    """(bytes to send, bytes held back as a possible key prefix, detach matched)."""
    idx = data.find(keys)
    if idx >= 0:
        return data[:idx], b"", True
    for n in range(min(len(keys) - 1, len(data)), 0, -1):
        if data.endswith(keys[:n]):
            return data[:-n], data[-n:], False
    return data, b"", False
