"""Signal names and numbers as docker accepts them (``KILL``, ``SIGKILL``, ``9``)."""

from __future__ import annotations

import signal as _signal

from berth.errdefs import InvalidArgument

_BY_NAME = {s.name: int(s) for s in _signal.Signals if not s.name.startswith("SIG_")}


def parse(value: str | int | None, default: int = int(_signal.SIGKILL)) -> int:
    if value is None or value == "":
        return default
    text = str(value).strip().upper()
    if text.isdigit():
        n = int(text)
        if 0 < n <= 64:
            return n
    else:
        name = text if text.startswith("SIG") else "SIG" + text
        if name in _BY_NAME:
            return _BY_NAME[name]
        if name.startswith("SIGRTMIN+") and name[9:].isdigit():
            return int(_signal.SIGRTMIN) + int(name[9:])
    raise InvalidArgument(f"Invalid signal: {value}")
