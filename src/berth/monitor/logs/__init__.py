"""Log drivers the monitor writes and the reader berthd uses for ``docker logs``.

Drivers: ``json-file`` (docker's format and rotation, ``jsonfile``), ``local`` (a
length-prefixed binary format of berth's own, ``local``), ``none``. The writer is the
native monitor's (``native/logs.c``); here are the checks of a spawn request's ``log``
(``log_config``) and ``reader.read_logs``, which reads either format back, rotated files
included.
"""

from __future__ import annotations

from berth.errdefs import InvalidArgument

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

DRIVERS = ("json-file", "local", "none")
_UNITS = {"": 1, "b": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}


def parse_size(value: int | str | None) -> int:
    """docker's ``max-size`` (``10m``, ``512k``, ``1g``, binary units); -1 when unset."""
    if value is None or value == "" or value == -1:
        return -1
    if isinstance(value, int):
        return value
    text = value.strip().lower()
    for suffix in ("ib", "b"):
        if len(text) > 1 and text.endswith(suffix) and text[-len(suffix) - 1].isalpha():
            text = text[: -len(suffix)]
            break
    unit = text[-1:] if text[-1:].isalpha() else ""
    try:
        number = float(text[: len(text) - len(unit)])
        return int(number * _UNITS[unit])
    except (KeyError, ValueError):
        raise InvalidArgument(f"invalid log max-size {value!r}: use a size like 10m") from None


def log_config(cfg: dict[str, Any]) -> tuple[str, str, int, int, bool]:
    """A spawn request's ``log`` object checked and with docker's defaults filled in:
    (driver, path, max_size (-1: none), max_file, compress). Errors are InvalidArgument,
    replied by the set-up before the container exists."""
    driver = cfg.get("driver") or "json-file"
    if driver == "none":
        return "none", "", -1, 1, False
    if driver not in DRIVERS:
        raise InvalidArgument(f"log driver {driver!r} is not supported (use json-file, local"
                              " or none)")
    if not cfg.get("path"):
        raise InvalidArgument(f"log driver {driver}: no log path given")
    max_file = int(cfg["max_file"]) if cfg.get("max_file") is not None else 1
    if max_file < 1:
        raise InvalidArgument(f"invalid log max-file {max_file}: must be at least 1")
    if driver == "local":
        return (driver, str(cfg["path"]), parse_size(cfg.get("max_size") or "20m"),
                int(cfg.get("max_file") or 5), bool(cfg.get("compress", True)))
    return (driver, str(cfg["path"]), parse_size(cfg.get("max_size")), max_file,
            bool(cfg.get("compress", False)))
