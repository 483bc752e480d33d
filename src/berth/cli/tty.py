"""The local terminal for ``run -it``, ``attach``, ``exec -it``: raw mode and window size.

Raw mode (termios, as moby/term's MakeRaw) lets keys like Ctrl-C reach the container's
TTY as bytes; the size is read with TIOCGWINSZ and re-sent on SIGWINCH.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager


def is_tty(fd: int) -> bool:
    try:
        return os.isatty(fd)
    except OSError:
        return False


def size(fd: int | None = None) -> tuple[int, int] | None:
    """(rows, columns) of the terminal on ``fd`` (stdout by default), or None."""
    fd = sys.stdout.fileno() if fd is None else fd
    try:
        sz = os.get_terminal_size(fd)
    except OSError:
        return None
    return sz.lines, sz.columns


@contextmanager
def raw(fd: int, enabled: bool = True) -> Iterator[None]:
    """Put ``fd`` in raw mode for the block (no-op unless enabled and a TTY)."""
    if not enabled or not is_tty(fd):
        yield
        return
    import termios
    import tty

    saved = termios.tcgetattr(fd)
    try:
        tty.setraw(fd, termios.TCSANOW)
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def parse_detach_keys(spec: str | None) -> bytes:
    """docker's detach-key syntax: ``ctrl-p,ctrl-q`` (default), ``a,ctrl-@``…"""
    if not spec:
        return b"\x10\x11"
    out = bytearray()
    for key in spec.split(","):
        key = key.strip()
        if key.startswith("ctrl-") and len(key) == 6:
            c = key[5].upper()
            code = {"@": 0, "[": 27, "\\": 28, "]": 29, "^": 30, "_": 31}.get(c)
            out.append(code if code is not None else ord(c) - 64)
        elif len(key) == 1:
            out.append(ord(key))
        else:
            from berth.cli.usage import CLIError

            raise CLIError(f"Unknown character: '{key}'", 125)
    return bytes(out)
