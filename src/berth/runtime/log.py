"""runc-style logging: ``--log`` file, ``--log-format text|json``, errors on stderr too."""

from __future__ import annotations

import json
import os
import sys
import time


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
            return json.dumps({"level": level, "msg": msg, "time": stamp})
        return f'time="{stamp}" level={level} msg={json.dumps(msg)}'

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
