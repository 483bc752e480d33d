"""How a child's exception becomes one line (and an exit code) for the parent."""

from __future__ import annotations

import errno

from berth.errdefs import BerthError


class ExecNotFound(BerthError):
    """The program to run does not exist in the container (exit status 127)."""


class ExecDenied(BerthError):
    """The program exists but may not be executed (exit status 126)."""


def describe(e: BaseException) -> tuple[str, int]:
    """(message, exit code) for an error raised before execve."""
    if isinstance(e, ExecNotFound):
        return e.message, 127
    if isinstance(e, ExecDenied):
        return e.message, 126
    if isinstance(e, BerthError):
        return e.message, 1
    if isinstance(e, OSError):
        text = e.strerror or str(e)
        if e.errno and text and errno.errorcode.get(e.errno) and e.filename and \
                str(e.filename) not in text:
            text = f"{text}: {e.filename}"
        return text, 1
    return f"{type(e).__name__}: {e}", 1
