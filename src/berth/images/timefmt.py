"""Time in docker's formats: RFC3339Nano strings, unix seconds, and filter timestamps."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

from berth.errdefs import InvalidArgument

ZERO_TIME = "0001-01-01T00:00:00Z"
_FRACTION = re.compile(r"\.(\d+)")
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)$")
_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}


def parse_rfc3339(value: str) -> datetime | None:
    """Parse RFC3339(Nano); None for empty. Fractions beyond microseconds are cut."""
    if not value:
        return None
    v = _FRACTION.sub(lambda m: "." + m.group(1)[:6].ljust(6, "0"), value, count=1)
    v = v.replace("Z", "+00:00").replace("z", "+00:00")
    try:
        dt = datetime.fromisoformat(v)
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def unix(value: str) -> int:
    dt = parse_rfc3339(value)
    return int(dt.timestamp()) if dt else 0


def format_nano(ts: float | datetime | None) -> str:
    """RFC3339Nano as Go prints it (trailing zeros of the fraction dropped)."""
    if ts is None:
        return ZERO_TIME
    dt = ts if isinstance(ts, datetime) else datetime.fromtimestamp(ts, UTC)
    dt = dt.astimezone(UTC)
    frac = f"{dt.microsecond:06d}".rstrip("0")
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + (f".{frac}" if frac else "") + "Z"


def normalize_created(value: str) -> str:
    """An image's ``created`` for display; the zero time if absent or unparsable."""
    dt = parse_rfc3339(value)
    return format_nano(dt) if dt else ZERO_TIME


def filter_timestamp(value: str, now: float | None = None) -> float:
    """``until``/``since`` filter values: unix seconds, RFC3339 date/time, or a Go duration
    (``10m``, ``1h30m``) meaning that long ago."""
    now = time.time() if now is None else now
    v = value.strip()
    try:
        return float(v)
    except ValueError:
        pass
    total, rest = 0.0, v
    while rest:
        m = re.match(r"^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)", rest)
        if not m:
            break
        total += float(m.group(1)) * _UNITS[m.group(2)]
        rest = rest[m.end():]
    if v and not rest:
        return now - total
    dt = parse_rfc3339(v if "T" in v else v + "T00:00:00Z")
    if dt is None:
        raise InvalidArgument(f"invalid timestamp {value!r}")
    return dt.timestamp()
