"""The cgroup manager protocol: one container's cgroup(s) from creation to removal.

Lifecycle: ``create()`` makes the directories (and, on v2, enables controllers in the
parents), ``set(resources)`` writes OCI ``linux.resources``, ``apply(pid)`` moves the init
process in, ``freeze()``/``thaw()`` pause it, ``stats()``/``oom_kill_count()``/``oom_watcher()``
observe it, and ``destroy()`` removes the directories once the processes are gone (it never
kills: the caller does that first). ``paths()`` is what the runtime stores in its state file;
``from_paths`` (in the package) reopens a manager from it.
"""

from __future__ import annotations

import os
import select
from pathlib import Path
from typing import Any, Protocol

from berth.runtime.cgroups import _fs


class OomWatcher(Protocol):
    """Something the monitor can poll: readable (``poll_mask``) when an OOM may have happened."""

    poll_mask: int

    def fileno(self) -> int: ...
    def wait(self, timeout: float | None) -> bool: ...
    def kills(self) -> int: ...
    def close(self) -> None: ...


class CgroupManager(Protocol):
    """One container's cgroup on one host layout (see the module docstring)."""

    def create(self) -> None: ...
    def apply(self, pid: int) -> None: ...
    def set(self, resources: dict[str, Any]) -> None: ...
    def freeze(self, timeout: float = 10.0) -> None: ...
    def thaw(self) -> None: ...
    def frozen(self) -> bool: ...
    def pids(self) -> list[int]: ...
    def stats(self) -> dict[str, Any]: ...
    def oom_kill_count(self) -> int: ...
    def oom_watcher(self) -> OomWatcher: ...
    def destroy(self, timeout: float = 5.0) -> None: ...
    def exists(self) -> bool: ...
    def paths(self) -> dict[str, str]: ...


class KeyedFileWatcher:
    """v2: poll a kernfs file (memory.events) for POLLPRI; kernfs signals every change so."""

    poll_mask = select.POLLPRI | select.POLLERR

    def __init__(self, path: Path, key: str) -> None:
        self._path, self._key = path, key
        self._fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        os.read(self._fd, 4096)  # arm: kernfs reports changes made after the first read

    def fileno(self) -> int:
        return self._fd

    def wait(self, timeout: float | None) -> bool:
        """True if the file changed (re-armed for the next change)."""
        p = select.poll()
        p.register(self._fd, self.poll_mask)
        if not p.poll(None if timeout is None else int(timeout * 1000)):
            return False
        os.lseek(self._fd, 0, os.SEEK_SET)
        os.read(self._fd, 4096)
        return True

    def kills(self) -> int:
        return _fs.read_keyed(self._path).get(self._key, 0)

    def close(self) -> None:
        os.close(self._fd)


def memory_entry(usage: int, max_: int, limit: int, failcnt: int) -> dict[str, int]:
    """runc's MemoryEntry JSON shape."""
    return {"usage": usage, "max": max_, "limit": limit, "failcnt": failcnt}


def empty_stats() -> dict[str, Any]:
    """The skeleton of runc's ``events --stats`` data (types.Stats), filled by each driver."""
    return {
        "cpu": {"usage": {"total": 0, "percpu": [], "kernel": 0, "user": 0},
                "throttling": {"periods": 0, "throttled_periods": 0, "throttled_time": 0}},
        "memory": {"cache": 0, "usage": memory_entry(0, 0, 0, 0),
                   "swap": memory_entry(0, 0, 0, 0), "kernel": memory_entry(0, 0, 0, 0),
                   "kernelTCP": memory_entry(0, 0, 0, 0), "raw": {}},
        "pids": {"current": 0, "limit": 0},
        "blkio": {"ioServiceBytesRecursive": [], "ioServicedRecursive": []},
        "hugetlb": {},
    }
