"""Turn any exception into docker's message and exit status."""

from __future__ import annotations

from berth.cli.format.listing import FormatError
from berth.cli.usage import CLIError
from berth.client import is_daemon_error
from berth.errdefs import BerthError


def describe(exc: BaseException) -> tuple[str, int]:
    """(message, status) for an error raised by a command."""
    if isinstance(exc, CLIError):
        return exc.message, exc.status
    if isinstance(exc, BerthError):
        if is_daemon_error(exc):
            return f"Error response from daemon: {exc.message}", 1
        return exc.message, 1
    if isinstance(exc, FormatError):
        return str(exc), 1
    if isinstance(exc, FileNotFoundError):
        return f"open {exc.filename}: no such file or directory", 1
    if isinstance(exc, PermissionError):
        return f"open {exc.filename}: permission denied", 1
    if isinstance(exc, OSError):
        return f"{exc.strerror or exc}", 1
    return f"{type(exc).__name__}: {exc}", 1
