"""cgroup v1 (and hybrid) manager: one directory per mounted hierarchy.

In hybrid mode the container also gets a directory on the cgroup2 mount; controllers that
live only there (hugetlb on this project's CI host) are driven through it, v2-style.
"""

from __future__ import annotations

import os
import select
import time

from berth.errdefs import FailedPrecondition, InvalidArgument, Unavailable
from berth.runtime.cgroups import _fs, v1_set
from berth.runtime.cgroups._path import CgPath
from berth.runtime.cgroups.v2_tree import available, enable_controllers, make_dir

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from berth.runtime.cgroups._path import StrPath
    from berth.runtime.cgroups.protocol import OomWatcher


class V1Manager:
    """``dirs`` maps each controller (and ``name=systemd``) to the container's directory."""

    def __init__(self, dirs: Mapping[str, StrPath], unified: StrPath | None = None,
                 unified_root: StrPath | None = None) -> None:
        self.dirs = {c: CgPath(d) for c, d in dirs.items()}
        self.unified = CgPath(unified) if unified is not None else None
        self._unified_root = CgPath(unified_root) if unified_root is not None else None

    def _unique(self) -> list[CgPath]:
        seen = dict.fromkeys(self.dirs.values())
        if self.unified:
            seen[self.unified] = None
        return list(seen)

    def _dir(self, controller: str, field: str) -> CgPath:
        if controller not in self.dirs:
            raise FailedPrecondition(
                f"linux.resources.{field.removeprefix('linux.resources.')}: the {controller} "
                "cgroup v1 controller is not mounted on this host")
        return self.dirs[controller]

    def _unified_has(self, controller: str) -> bool:
        return self.unified is not None and controller in available(self.unified)

    def create(self) -> None:
        for ctrl, d in self.dirs.items():
            _mkdir_v1(d, cpuset=ctrl == "cpuset")
        if self.unified and self._unified_root:
            make_dir(self._unified_root, self.unified)
            enable_controllers(self._unified_root, self.unified)

    def apply(self, pid: int) -> None:
        for d in self._unique():
            _fs.write(d / "cgroup.procs", pid, f"cgroup {d}")

    def thread_files(self) -> list[str]:
        """v1 ``tasks`` files a single-threaded child writes ``0`` to (see manager.py)."""
        return [str(d / "tasks") for d in dict.fromkeys(self.dirs.values())]

    def birth_dir(self) -> CgPath | None:
        """The hybrid host's cgroup2 dir, joined at fork time (clone3 CLONE_INTO_CGROUP)."""
        return self.unified

    def set(self, resources: dict[str, Any]) -> None:
        r = dict(resources)
        if r.get("hugepageLimits") and "hugetlb" not in self.dirs and self._unified_has("hugetlb"):
            assert self.unified is not None
            from berth.runtime.cgroups import v2_set
            v2_set.hugetlb(self.unified, r.pop("hugepageLimits"))
        v1_set.set_resources(self._dir, r, self._set_unified)

    def _set_unified(self, unified: dict[str, str]) -> None:
        """Hybrid hosts accept ``unified`` keys for controllers on the cgroup2 mount."""
        if self.unified is None:
            raise InvalidArgument("linux.resources.unified: needs cgroup v2; this host has v1 "
                                  "only")
        from berth.runtime.cgroups import v2_set  # the v2 writers load only when needed
        v2_set.unified(self.unified, unified)

    def freeze(self, timeout: float = 10.0) -> None:
        """Write FROZEN until the kernel reports FROZEN (FREEZING may take a few rounds)."""
        state = self._dir("freezer", "freezer") / "freezer.state"
        deadline, delay = time.monotonic() + timeout, 0.0005
        while True:
            _fs.write(state, "FROZEN", "freeze")
            if _fs.read(state) == "FROZEN":
                return
            if time.monotonic() >= deadline:
                _fs.write(state, "THAWED", "thaw")
                raise Unavailable(f"cgroup {state.parent}: still FREEZING after {timeout}s")
            time.sleep(delay)
            delay = min(delay * 2, 0.02)

    def thaw(self) -> None:
        _fs.write(self._dir("freezer", "freezer") / "freezer.state", "THAWED", "thaw")

    def frozen(self) -> bool:
        d = self.dirs.get("freezer")
        return d is not None and _fs.read(d / "freezer.state") == "FROZEN"

    def pids(self) -> list[int]:
        for ctrl in ("pids", "freezer", "memory", "devices", "cpu"):
            if ctrl in self.dirs:
                return _pids_tree(self.dirs[ctrl])
        return _pids_tree(self._unique()[0])

    def stats(self) -> dict[str, Any]:
        from berth.runtime.cgroups import v1_stats, v2_stats
        s = v1_stats.collect(self.dirs)
        if "hugetlb" not in self.dirs and self.unified and self.unified.exists():
            s["hugetlb"] = v2_stats.hugetlb(self.unified)
        return s

    def oom_kill_count(self) -> int:
        return _fs.read_keyed(self._dir("memory", "memory") / "memory.oom_control").get(
            "oom_kill", 0)

    def oom_watcher(self) -> OomWatcher:
        return EventfdOomWatcher(self._dir("memory", "memory"))

    def destroy(self, timeout: float = 5.0) -> None:
        for d in self._unique():
            _fs.rmdir_tree(d, timeout)

    def exists(self) -> bool:
        return any(d.exists() for d in self._unique())

    def paths(self) -> dict[str, str]:
        out = {c: str(d) for c, d in self.dirs.items()}
        if self.unified:
            out[""] = str(self.unified)
        return out


def _mkdir_v1(d: CgPath, cpuset: bool) -> None:
    """mkdir -p; new cpuset levels inherit cpus/mems from their parent or no task may join."""
    missing = []
    p = d
    while not p.exists():
        missing.append(p)
        p = p.parent
    for level in reversed(missing):
        try:
            os.mkdir(level, 0o755)
        except FileExistsError:
            pass
        if cpuset:
            for f in ("cpuset.cpus", "cpuset.mems"):
                if _fs.read(level / f) == "":
                    _fs.write(level / f, _fs.read(level.parent / f), f"cgroup {level}")


def _pids_tree(d: CgPath) -> list[int]:
    out: list[int] = []
    for sub, _, _ in os.walk(d):
        out.extend(_fs.read_pids(CgPath(sub) / "cgroup.procs"))
    return out


class EventfdOomWatcher:
    """v1: an eventfd registered on memory.oom_control; readable on each OOM (and on rmdir)."""

    poll_mask = select.POLLIN

    def __init__(self, mem: StrPath) -> None:
        self._mem = mem = CgPath(mem)
        self._efd = os.eventfd(0, os.EFD_CLOEXEC | os.EFD_NONBLOCK)
        ofd = os.open(mem / "memory.oom_control", os.O_RDONLY | os.O_CLOEXEC)
        try:
            _fs.write(mem / "cgroup.event_control", f"{self._efd} {ofd}", "oom watcher")
        except BaseException:
            os.close(self._efd)
            raise
        finally:
            os.close(ofd)  # the kernel holds its own reference once registered

    def fileno(self) -> int:
        return self._efd

    def wait(self, timeout: float | None) -> bool:
        p = select.poll()
        p.register(self._efd, self.poll_mask)
        if not p.poll(None if timeout is None else int(timeout * 1000)):
            return False
        try:
            os.eventfd_read(self._efd)
        except BlockingIOError:
            return False
        return True

    def kills(self) -> int:
        return _fs.read_keyed(self._mem / "memory.oom_control").get("oom_kill", 0)

    def close(self) -> None:
        os.close(self._efd)
