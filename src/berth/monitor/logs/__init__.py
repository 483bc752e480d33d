"""Log drivers the monitor writes and the reader berthd uses for ``docker logs``.

Drivers: ``json-file`` (docker's format and rotation, ``jsonfile``), ``local`` (a
length-prefixed binary format of berth's own, ``local``), ``none``. The monitor feeds
``Writer.write(stream, data, time_ns)`` with messages cut by ``lines.LineSplitter``;
``reader.read_logs`` reads either format back, rotated files included.
"""

from __future__ import annotations

from berth.errdefs import InvalidArgument

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Protocol

    class Writer(Protocol):
        def write(self, stream: str, data: bytes, partial: bool, time_ns: int) -> None: ...
        def close(self) -> None: ...

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


def open_writer(cfg: dict[str, Any]) -> Writer | None:
    """The writer for a spawn request's ``log`` object (None for the ``none`` driver)."""
    driver = cfg.get("driver") or "json-file"
    if driver == "none":
        return None
    if driver not in DRIVERS:
        raise InvalidArgument(f"log driver {driver!r} is not supported (use json-file, local"
                              " or none)")
    if not cfg.get("path"):
        raise InvalidArgument(f"log driver {driver}: no log path given")
    max_file = int(cfg["max_file"]) if cfg.get("max_file") is not None else 1
    if max_file < 1:
        raise InvalidArgument(f"invalid log max-file {max_file}: must be at least 1")
    from berth.monitor.logs.rotate import RotatingFile
    if driver == "local":
        from berth.monitor.logs.local import LocalWriter
        size = parse_size(cfg.get("max_size") or "20m")
        out = RotatingFile(cfg["path"], size, int(cfg.get("max_file") or 5),
                           bool(cfg.get("compress", True)))
        return LocalWriter(out)
    from berth.monitor.logs.jsonfile import JsonFileWriter
    out = RotatingFile(cfg["path"], parse_size(cfg.get("max_size")), max_file,
                       bool(cfg.get("compress", False)))
    return JsonFileWriter(out)
