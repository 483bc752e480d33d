"""Persisted container state under the runtime root.

Layout (schema 1)::

    <root>/                     mode 0711 (default /run/berth-runtime)
      <id>/                     mode 0711: the container init reaches exec.fifo through it
        state.json              this module's record (written temp + fsync + rename)
        exec.fifo               present from create until start; init blocks opening it

``state.json`` holds the runtime-spec state fields plus what later verbs need: the
config as it was at create, the init's start time (to tell a recycled pid from ours),
and the cgroup paths.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from typing import Any

from berth.errdefs import Conflict, InvalidArgument, NotFound

SCHEMA = 1
_ID = re.compile(r"^[\w+\-.]+$")


def check_id(cid: str) -> str:
    """runc's id rule: letters, digits, ``_ + - .``; no path tricks."""
    if not cid or not _ID.match(cid) or cid in (".", ".."):
        raise InvalidArgument(f"invalid container id {cid!r}")
    return cid


def write_atomic(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Write ``data`` so that a reader sees the old file or the whole new one."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, mode)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.rename(tmp, path)


def rfc3339(t: float) -> str:
    """Go's time.RFC3339Nano in UTC, as runc prints ``created``."""
    secs = int(t)
    frac = f"{t - secs:.9f}"[2:].rstrip("0")
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(secs))
    return f"{stamp}.{frac}Z" if frac else f"{stamp}Z"


class StateStore:
    """The runtime root: one directory per container id."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def dir(self, cid: str) -> Path:
        return self.root / check_id(cid)

    def reserve(self, cid: str) -> Path:
        """Make the container's directory; Conflict if the id is taken."""
        self.root.mkdir(mode=0o711, parents=True, exist_ok=True)
        d = self.dir(cid)
        try:
            d.mkdir(mode=0o711)
        except FileExistsError:
            raise Conflict(f"container with id exists: {cid}") from None
        os.chmod(d, 0o711)
        return d

    def save(self, cid: str, state: dict[str, Any]) -> None:
        state["schema"] = SCHEMA
        write_atomic(self.dir(cid) / "state.json", json.dumps(state).encode())

    def load(self, cid: str) -> dict[str, Any]:
        try:
            raw = (self.dir(cid) / "state.json").read_bytes()
        except FileNotFoundError:
            raise NotFound(f"container {cid} does not exist") from None
        return json.loads(raw)

    def ids(self) -> list[str]:
        try:
            names = os.listdir(self.root)
        except FileNotFoundError:
            return []
        return sorted(n for n in names if (self.root / n / "state.json").exists())

    def remove(self, cid: str) -> None:
        d = self.dir(cid)
        for name in os.listdir(d) if d.exists() else ():
            os.unlink(d / name)
        try:
            d.rmdir()
        except FileNotFoundError:
            pass
