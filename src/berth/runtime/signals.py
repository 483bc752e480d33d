"""Signal names and numbers as ``kill`` accepts them (``TERM``, ``SIGTERM``, ``15``), and
the few numbers and the handler call the hot path needs, straight from ``_signal``: the
``signal`` module builds IntEnums at import (enum, functools, collections), ~5 ms of every
``berth-runtime`` start."""

from __future__ import annotations

import _signal

from berth.errdefs import InvalidArgument

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

SIGHUP: int = _signal.SIGHUP
SIGINT: int = _signal.SIGINT
SIGQUIT: int = _signal.SIGQUIT
SIGKILL: int = _signal.SIGKILL
SIGUSR1: int = _signal.SIGUSR1
SIGUSR2: int = _signal.SIGUSR2
SIGTERM: int = _signal.SIGTERM
SIGWINCH: int = _signal.SIGWINCH


def set_handler(signum: int, handler: Callable[[int, Any], None] | int) -> Any:
    """``signal.signal``; returns the previous handler."""
    return _signal.signal(signum, handler)


def parse_signal(text: str) -> int:
    """``KILL``/``SIGKILL``/``9``/``RTMIN+3`` → signal number; clear error otherwise."""
    import signal
    s = text.strip().upper()
    if s.isdigit():
        num = int(s)
        if 0 < num <= signal.SIGRTMAX:
            return num
        raise InvalidArgument(f"invalid signal {text!r}")
    if not s.startswith("SIG"):
        s = "SIG" + s
    if s.startswith(("SIGRTMIN+", "SIGRTMAX-")):
        base, _, off = s.partition("+" if "+" in s else "-")
        n = int(off) if off.isdigit() else -1
        num = signal.SIGRTMIN + n if base == "SIGRTMIN" else signal.SIGRTMAX - n
        if n >= 0 and signal.SIGRTMIN <= num <= signal.SIGRTMAX:
            return num
        raise InvalidArgument(f"invalid signal {text!r}")
    try:
        return int(signal.Signals[s])
    except KeyError:
        raise InvalidArgument(f"unknown signal {text!r}") from None
