"""Signal names and numbers as ``kill`` accepts them (``TERM``, ``SIGTERM``, ``15``)."""

from __future__ import annotations

import signal

from berth.errdefs import InvalidArgument


def parse_signal(text: str) -> int:
    """``KILL``/``SIGKILL``/``9``/``RTMIN+3`` → signal number; clear error otherwise."""
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
