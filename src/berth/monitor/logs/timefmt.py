"""Go's RFC3339Nano in UTC (what docker writes in json-file ``time``), and its parser."""

from __future__ import annotations

import calendar
import time


def format_ns(ns: int) -> str:
    """``2026-11-28T16:00:00.123456789Z`` with trailing zeros trimmed, like Go's format."""
    secs, frac = divmod(ns, 1_000_000_000)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(secs))
    digits = f"{frac:09d}".rstrip("0")
    return f"{stamp}.{digits}Z" if digits else f"{stamp}Z"


def parse_ns(text: str) -> int:
    """Nanoseconds since the epoch from an RFC 3339 stamp (any offset, 0-9 fraction digits)."""
    text = text.strip()
    date, offset = text[:19], text[19:]
    frac = "0"
    if offset.startswith("."):
        end = 1
        while end < len(offset) and offset[end].isdigit():
            end += 1
        frac, offset = offset[1:end] or "0", offset[end:]
    secs = calendar.timegm(time.strptime(date, "%Y-%m-%dT%H:%M:%S"))
    if offset not in ("Z", "z", ""):
        sign = 1 if offset[0] == "+" else -1
        hours, minutes = int(offset[1:3]), int(offset[4:6])
        secs -= sign * (hours * 3600 + minutes * 60)
    return secs * 1_000_000_000 + int(frac[:9].ljust(9, "0"))
