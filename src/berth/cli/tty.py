"""The local terminal for ``run -it``, ``attach``, ``exec -it``: raw mode and window size.

Raw mode (termios, as moby/term's MakeRaw) lets keys like Ctrl-C reach the container's
TTY as bytes; the size is read with TIOCGWINSZ and re-sent on SIGWINCH.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


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


class raw:  # lower-case: used as the function it was, ``with raw(fd):``
    """Put ``fd`` in raw mode for the block (no-op unless enabled and a TTY). A class, not
    ``contextlib.contextmanager``: ``contextlib`` is not imported at start-up."""

    def __init__(self, fd: int, enabled: bool = True) -> None:
        self.fd, self.enabled = fd, enabled and is_tty(fd)
        self.saved: Any = None

    def __enter__(self) -> None:
        if self.enabled:
            import termios
            import tty

            self.saved = termios.tcgetattr(self.fd)
            try:
                tty.setraw(self.fd, termios.TCSANOW)
            except BaseException:
                termios.tcsetattr(self.fd, termios.TCSADRAIN, self.saved)
                raise

    def __exit__(self, *exc: object) -> None:
        if self.saved is not None:
            import termios

            termios.tcsetattr(self.fd, termios.TCSADRAIN, self.saved)


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
