"""Terminals: a pty made inside the container, its master sent to ``--console-socket``."""

from __future__ import annotations

import fcntl
import os
import socket
import struct
import termios

from berth.errdefs import InvalidArgument

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def connect_console_socket(path: str) -> socket.socket:
    """Connect early so a bad ``--console-socket`` fails before anything is created."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(path)
    except OSError as e:
        sock.close()
        raise InvalidArgument(f"--console-socket {path}: {e.strerror}") from None
    return sock


def send_console(sock: socket.socket, master: int) -> None:
    """Hand the pty master over, as runc does (name in the data, fd in SCM_RIGHTS)."""
    socket.send_fds(sock, [b"/dev/ptmx"], [master])


def open_pty(size: dict[str, Any] | None) -> tuple[int, int]:
    """(master, slave) from the container's /dev/ptmx, sized as ``consoleSize`` says."""
    master, slave = os.openpty()
    if size:
        set_size(master, size.get("height", 0), size.get("width", 0))
    return master, slave


def set_size(fd: int, rows: int, cols: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def make_controlling(slave: int) -> None:
    """Make ``slave`` the session's controlling terminal and the process's stdio."""
    fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
    for fd in (0, 1, 2):
        os.dup2(slave, fd)
    if slave > 2:
        os.close(slave)
