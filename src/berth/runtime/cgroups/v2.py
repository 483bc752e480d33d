"""cgroup v2 manager: one directory on the unified hierarchy.

Freezing writes cgroup.freeze and waits for ``frozen 1`` in cgroup.events; kernfs wakes
poll(POLLPRI) on every change of that file, so the wait is event-driven (with a short
fallback re-read for filesystems that never signal, such as test trees).
"""

from __future__ import annotations

import os
import select
import time

from berth.errdefs import Unavailable
from berth.runtime.cgroups import _fs, v2_set, v2_stats
from berth.runtime.cgroups._path import CgPath
from berth.runtime.cgroups.manager import KeyedFileWatcher
from berth.runtime.cgroups.v2_tree import enable_controllers, make_dir

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from berth.runtime.cgroups._path import StrPath
    from berth.runtime.cgroups.protocol import OomWatcher


class V2Manager:
    """``path`` is the container's directory below ``mount_root``."""

    def __init__(self, path: StrPath, mount_root: StrPath) -> None:
        self.path, self.mount_root = CgPath(path), CgPath(mount_root)

    def create(self) -> None:
        make_dir(self.mount_root, self.path)
        enable_controllers(self.mount_root, self.path)

    def apply(self, pid: int) -> None:
        _fs.write(self.path / "cgroup.procs", pid, f"cgroup {self.path}")

    def thread_files(self) -> list[str]:
        return []

    def birth_dir(self) -> CgPath | None:
        """Children are born here (clone3 CLONE_INTO_CGROUP), sparing a cgroup.procs write."""
        return self.path

    def set(self, resources: dict[str, Any]) -> None:
        v2_set.set_resources(self.path, resources)

    def freeze(self, timeout: float = 10.0) -> None:
        _fs.write(self.path / "cgroup.freeze", 1, "freeze")
        if not self._wait_frozen(True, timeout):
            _fs.write(self.path / "cgroup.freeze", 0, "thaw")
            raise Unavailable(f"cgroup {self.path}: not frozen after {timeout}s")

    def thaw(self) -> None:
        _fs.write(self.path / "cgroup.freeze", 0, "thaw")
        if not self._wait_frozen(False, 10.0):
            raise Unavailable(f"cgroup {self.path}: still frozen 10s after thaw")

    def _wait_frozen(self, want: bool, timeout: float) -> bool:
        events = self.path / "cgroup.events"
        deadline = time.monotonic() + timeout
        fd = os.open(events, os.O_RDONLY | os.O_CLOEXEC)
        try:
            p = select.poll()
            p.register(fd, select.POLLPRI)
            while True:
                if self.frozen() == want:
                    return True
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                os.lseek(fd, 0, os.SEEK_SET)
                os.read(fd, 4096)  # re-arm before waiting
                if self.frozen() == want:
                    return True
                ready = p.poll(int(min(left, 0.05) * 1000))
                if ready and not ready[0][1] & select.POLLPRI:
                    time.sleep(0.005)  # a plain file is always "ready": do not spin
        finally:
            os.close(fd)

    def frozen(self) -> bool:
        return _fs.read_keyed(self.path / "cgroup.events").get("frozen", 0) == 1

    def pids(self) -> list[int]:
        out: list[int] = []
        for sub, _, _ in os.walk(self.path):
            out.extend(_fs.read_pids(CgPath(sub) / "cgroup.procs"))
        return out

    def stats(self) -> dict[str, Any]:
        return v2_stats.collect(self.path)

    def oom_kill_count(self) -> int:
        return _fs.read_keyed(self.path / "memory.events").get("oom_kill", 0)

    def oom_watcher(self) -> OomWatcher:
        return KeyedFileWatcher(self.path / "memory.events", "oom_kill")

    def destroy(self, timeout: float = 5.0) -> None:
        _fs.rmdir_tree(self.path, timeout)

    def exists(self) -> bool:
        return self.path.exists()

    def paths(self) -> dict[str, str]:
        return {"": str(self.path)}
