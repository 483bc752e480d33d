"""runc-style logging: ``--log`` file, ``--log-format text|json``, errors on stderr too."""

from __future__ import annotations

import os
import sys
import time

from berth._util.fastjson import dumps

TYPE_CHECKING = False
if TYPE_CHECKING:
    from logging import Logger as _Logger


class Log:
    """Append one line per record; engines (containerd) read the last ``error`` line."""

    def __init__(self, path: str | None, fmt: str = "text", debug: bool = False) -> None:
        if fmt not in ("text", "json"):
            raise ValueError(f"invalid --log-format {fmt!r}: expected text or json")
        self.path, self.fmt, self.debug_on = path, fmt, debug

    def _line(self, level: str, msg: str) -> str:
        now = time.time()
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now % 1 * 1e9):09d}Z"
        if self.fmt == "json":
            return dumps({"level": level, "msg": msg, "time": stamp})
        return f'time="{stamp}" level={level} msg={dumps(msg)}'

    def write(self, level: str, msg: str) -> None:
        line = self._line(level, msg) + "\n"
        if self.path:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
            try:
                os.write(fd, line.encode())
            finally:
                os.close(fd)
        else:
            sys.stderr.write(line)

    def debug(self, msg: str) -> None:
        if self.debug_on:
            self.write("debug", msg)

    def warning(self, msg: str) -> None:
        self.write("warning", msg)

    def error(self, msg: str) -> None:
        """Log, and (when logging to a file) also tell the user on stderr, as runc does."""
        self.write("error", msg)
        if self.path:
            sys.stderr.write(f"berth-runtime: {msg}\n")


class LazyLogger:
    """A stdlib ``logging`` logger imported on first use: ``logging`` costs ~6 ms of
    startup and a normal ``run`` logs nothing through it."""

    def __init__(self, name: str) -> None:
        self.name = name

    def _logger(self) -> _Logger:
        import logging
        return logging.getLogger(self.name)

    def debug(self, msg: str, *args: object) -> None:
        self._logger().debug(msg, *args)

    def info(self, msg: str, *args: object) -> None:
        self._logger().info(msg, *args)

    def warning(self, msg: str, *args: object) -> None:
        self._logger().warning(msg, *args)
