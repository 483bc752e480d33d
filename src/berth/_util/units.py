"""Human-readable sizes and durations, exactly as docker/go-units prints them.

``HumanSizeWithPrecision`` uses decimal units and Go's ``%.*g``; Python's ``%g`` agrees
with Go's for these magnitudes (both drop trailing zeros, both switch to ``e+03``).
"""

from __future__ import annotations

DECIMAL = ("B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB")
BINARY = ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB")


def _scale(size: float, base: float, units: tuple[str, ...]) -> tuple[float, str]:
    i = 0
    while size >= base and i < len(units) - 1:
        size /= base
        i += 1
    return size, units[i]


def human_size_precision(size: float, precision: int) -> str:
    """go-units HumanSizeWithPrecision: ``4.26MB``."""
    value, unit = _scale(float(size), 1000.0, DECIMAL)
    return f"{value:.{precision}g}{unit}"


def human_size(size: float) -> str:
    """go-units HumanSize (4 significant digits): ``4.257MB``."""
    return human_size_precision(size, 4)


def bytes_size(size: float) -> str:
    """go-units BytesSize (binary units): ``1.5GiB``."""
    value, unit = _scale(float(size), 1024.0, BINARY)
    return f"{value:.4g}{unit}"


def _round_half_away(x: float) -> int:
    return int(x + 0.5) if x >= 0 else -int(-x + 0.5)


def human_duration(seconds_total: float) -> str:
    """go-units HumanDuration: ``Less than a second`` … ``2 hours`` … ``3 years``."""
    seconds = int(seconds_total)
    if seconds < 1:
        return "Less than a second"
    if seconds == 1:
        return "1 second"
    if seconds < 60:
        return f"{seconds} seconds"
    minutes = int(seconds_total / 60)
    if minutes == 1:
        return "About a minute"
    if minutes < 60:
        return f"{minutes} minutes"
    hours = _round_half_away(seconds_total / 3600)
    if hours == 1:
        return "About an hour"
    if hours < 48:
        return f"{hours} hours"
    if hours < 24 * 7 * 2:
        return f"{hours // 24} days"
    if hours < 24 * 30 * 2:
        return f"{hours // 24 // 7} weeks"
    if hours < 24 * 365 * 2:
        return f"{hours // 24 // 30} months"
    return f"{int(seconds_total / 3600) // 24 // 365} years"
