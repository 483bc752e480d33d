"""Persisted container state under the runtime root.

Layout (schema 1)::

    <root>/                     mode 0711 (default /run/berth-runtime)
      <id>/                     mode 0711: the container init reaches exec.fifo through it
        state.json              this module's record (written temp + rename; no fsync,
                                as runc: it names live processes, which a reboot ends)
        exec.fifo               present from create until start; init blocks opening it

``state.json`` holds the runtime-spec state fields plus what later verbs need: the
config as it was at create, the init's start time (to tell a recycled pid from ours),
and the cgroup paths.
"""

from __future__ import annotations

import os
import time

from berth._util import fastjson as json
from berth.errdefs import Conflict, FailedPrecondition, InvalidArgument, NotFound

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    StrPath = str | os.PathLike[str]

SCHEMA = 1
_ID_EXTRA = frozenset("_+-.")


class UnreadableState(FailedPrecondition):
    """A state file that does not parse: a host crash before it was written back (it is
    not fsync'ed); nothing it named survived, so ``delete`` just removes the directory."""


def check_id(cid: str) -> str:
    """runc's id rule: letters, digits, ``_ + - .``; no path tricks."""
    # runc's ^[\w+\-.]+$ (Unicode \w), without importing re at startup
    if not cid or cid in (".", "..") or not all(c.isalnum() or c in _ID_EXTRA for c in cid):
        raise InvalidArgument(f"invalid container id {cid!r}")
    return cid


def write_atomic(path: StrPath, data: bytes, mode: int = 0o600, durable: bool = True) -> None:
    """Write ``data`` so that a reader sees the old file or the whole new one.

    ``durable`` adds an fsync (survive a crash); skip it for files deleted moments later.
    """
    path = os.fspath(path)
    head, name = os.path.split(path)
    tmp = os.path.join(head, f".{name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, mode)
    try:
        os.write(fd, data)
        if durable:
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
    """The runtime root: one directory per container id.

    Paths are plain strings (``root`` may be any path-like): ``pathlib`` costs the CLI
    ~4 ms of imports.
    """

    def __init__(self, root: StrPath) -> None:
        self.root = os.fspath(root)

    def dir(self, cid: str) -> str:
        return os.path.join(self.root, check_id(cid))

    def reserve(self, cid: str) -> str:
        """Make the container's directory; Conflict if the id is taken."""
        os.makedirs(self.root, mode=0o711, exist_ok=True)
        d = self.dir(cid)
        try:
            os.mkdir(d, 0o711)
        except FileExistsError:
            raise Conflict(f"container with id exists: {cid}") from None
        os.chmod(d, 0o711)
        return d

    def save(self, cid: str, state: dict[str, Any], durable: bool = True) -> None:
        state["schema"] = SCHEMA
        write_atomic(os.path.join(self.dir(cid), "state.json"), json.dumps(state).encode(),
                     durable=durable)

    def load(self, cid: str) -> dict[str, Any]:
        try:
            with open(os.path.join(self.dir(cid), "state.json"), "rb") as f:
                raw = f.read()
        except FileNotFoundError:
            raise NotFound(f"container {cid} does not exist") from None
        try:
            state: dict[str, Any] = json.loads(raw)
        except ValueError:
            raise UnreadableState(f"container {cid}: unreadable state.json") from None
        return state

    def ids(self) -> list[str]:
        try:
            names = os.listdir(self.root)
        except FileNotFoundError:
            return []
        return sorted(n for n in names
                      if os.path.exists(os.path.join(self.root, n, "state.json")))

    def remove(self, cid: str) -> None:
        """Idempotent: two deletes may race (berthd's and the monitor's clean-up)."""
        d = self.dir(cid)
        try:
            names = os.listdir(d)
        except FileNotFoundError:
            return
        for name in names:
            try:
                os.unlink(os.path.join(d, name))
            except FileNotFoundError:
                pass
        try:
            os.rmdir(d)
        except FileNotFoundError:
            pass
