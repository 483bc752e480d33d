"""Shared pieces of the cgroup drivers; the protocol itself is in ``protocol.py``.

A manager owns one container's cgroup(s) from creation to removal.

Lifecycle: ``create()`` makes the directories (and, on v2, enables controllers in the
parents), ``set(resources)`` writes OCI ``linux.resources``, ``apply(pid)`` moves the init
process in, ``freeze()``/``thaw()`` pause it, ``stats()``/``oom_kill_count()``/``oom_watcher()``
observe it, and ``destroy()`` removes the directories once the processes are gone (it never
kills: the caller does that first). A runtime that forks the process itself joins it
without ``apply`` (whose ``cgroup.procs`` write waits for an RCU grace period, 10-20 ms):
the child is born in ``birth_dir()`` (cgroup2, clone3 CLONE_INTO_CGROUP) and, while still
single-threaded, writes ``0`` to each of ``thread_files()`` (v1 ``tasks``: no global
lock for moving oneself). ``paths()`` is what the runtime stores in its state file;
``from_paths`` (in the package) reopens a manager from it.
"""

from __future__ import annotations

import os
import select

from berth.runtime.cgroups import _fs
from berth.runtime.cgroups._path import CgPath

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from berth.runtime.cgroups._path import StrPath


class KeyedFileWatcher:
    """v2: poll a kernfs file (memory.events) for POLLPRI; kernfs signals every change so."""

    poll_mask = select.POLLPRI | select.POLLERR

    def __init__(self, path: StrPath, key: str) -> None:
        self._path, self._key = CgPath(path), key
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
