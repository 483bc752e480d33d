"""The container's stdio: pipes (or a pty via a console socket) owned by the monitor.

runc semantics: the container's 0/1/2 are whatever the caller's 0/1/2 are during
``create``, so ``child.create`` (in the set-up process) dup2s ``child`` (the
container's ends) over its own 0/1/2. With a TTY the runtime makes the pty inside the
container and sends its master over ``console_socket``; ``take_console`` accepts it
after ``create`` returns (the runtime connects before forking, so the connection waits
in the backlog).
"""

from __future__ import annotations

import contextlib
import os
import socket

from berth.errdefs import FailedPrecondition


class Stdio:
    """Monitor-side fds: ``out``/``err`` to read (``out`` is the pty master with a TTY),
    ``inp`` to write (None without stdin); ``child`` are the container's ends."""

    def __init__(self, tty: bool, stdin: bool) -> None:
        self.tty = tty
        self.out: int | None = None
        self.err: int | None = None
        self.inp: int | None = None
        self.child: list[int] = []
        self.console: socket.socket | None = None
        null = os.open("/dev/null", os.O_RDWR | os.O_CLOEXEC)
        if tty:
            self.child = [null, null, null]
            return
        in_r, self.inp = os.pipe() if stdin else (null, None)
        if stdin:
            os.close(null)
        self.out, out_w = os.pipe()
        self.err, err_w = os.pipe()
        self.child = [in_r, out_w, err_w]

    def listen_console(self, path: str) -> str:
        """A listening socket the runtime connects to with the pty master."""
        self.console = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
        self.console.bind(path)
        self.console.listen(1)
        return path

    def close_child(self) -> None:
        for fd in set(self.child):
            os.close(fd)
        self.child = []

    def take_console(self, timeout: float = 10.0) -> None:
        """Receive the pty master the runtime sent; it becomes ``out`` (and ``inp``)."""
        assert self.console is not None
        self.console.settimeout(timeout)
        try:
            conn, _ = self.console.accept()
            with conn:
                _msg, fds, _flags, _addr = socket.recv_fds(conn, 64, 1)
        except OSError as e:
            raise FailedPrecondition(f"no pty master from the runtime: {e}") from None
        finally:
            self.console.close()
            self.console = None
        if not fds:
            raise FailedPrecondition("the runtime sent no pty master on the console socket")
        os.set_inheritable(fds[0], False)
        self.out = self.inp = fds[0]

    def close_input(self) -> None:
        """End the container's stdin (docker's ``StdinOnce``); a pty gets EOT instead."""
        if self.inp is None:
            return
        if self.tty:
            with contextlib.suppress(OSError):
                os.write(self.inp, b"\x04")
            return
        os.close(self.inp)
        self.inp = None
