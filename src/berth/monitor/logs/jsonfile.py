"""docker's json-file format: one ``{"log","stream","time"}`` object per line (reading).

Written by the native monitor (``native/logs.c``: moby's ``jsonlog`` escaping, time in
RFC3339Nano UTC). A partial message is simply one whose ``log`` lacks the newline.
"""

from __future__ import annotations

import json

from berth.monitor.logs.timefmt import parse_ns


def decode(line: bytes) -> tuple[str, bytes, int, bool] | None:
    """(stream, message, time_ns, partial) or None for a torn/garbled line."""
    try:
        obj = json.loads(line)
        msg = obj["log"].encode()
        return obj["stream"], msg, parse_ns(obj["time"]), not msg.endswith(b"\n")
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
