"""Container cgroups on cgroup v1, hybrid and v2 hosts (see docs/design/cgroups.md).

``open_manager`` reads the host layout from mountinfo (or takes one, for tests) and returns a
``V1Manager`` or ``V2Manager``; ``from_paths`` reopens one from the paths a state file kept.
"""

from __future__ import annotations

from pathlib import Path

from berth.errdefs import FailedPrecondition, NotImplementedYet
from berth.runtime.cgroups.detect import Layout, clean_path, detect, own_cgroups, place
from berth.runtime.cgroups.manager import CgroupManager, OomWatcher
from berth.runtime.cgroups.v1 import V1Manager
from berth.runtime.cgroups.v2 import V2Manager

__all__ = ["CgroupManager", "Layout", "OomWatcher", "V1Manager", "V2Manager", "from_paths",
           "open_manager"]


def open_manager(cgroups_path: str, container_id: str, *, root: Path = Path("/sys/fs/cgroup"),
                 systemd: bool = False, proc: Path = Path("/proc"),
                 layout: Layout | None = None) -> CgroupManager:
    """The manager for ``linux.cgroupsPath`` (``""`` → ``/<id>``; relative → below our own)."""
    if systemd:
        raise NotImplementedYet("--systemd-cgroup: berth has no systemd cgroup driver yet; "
                                "use the cgroupfs driver")
    inner = clean_path(cgroups_path, container_id)
    layout = layout or detect(root, proc)
    own = own_cgroups(proc) if not inner.startswith("/") else {}
    if layout.mode == "v2":
        assert layout.unified is not None
        return V2Manager(place(layout.unified, inner, own.get("")), layout.unified.mountpoint)
    dirs = {c: place(m, inner, own.get(c)) for c, m in layout.v1.items()}
    unified = layout.unified
    return V1Manager(dirs, place(unified, inner, own.get("")) if unified else None,
                     unified.mountpoint if unified else None)


def from_paths(paths: dict[str, str], root: Path = Path("/sys/fs/cgroup")) -> CgroupManager:
    """Reopen a manager from ``paths()`` output (the runtime's state file keeps it)."""
    if not paths:
        raise FailedPrecondition("no cgroup paths recorded")
    if set(paths) == {""}:
        return V2Manager(Path(paths[""]), root)
    dirs = {c: Path(p) for c, p in paths.items() if c}
    unified = Path(paths[""]) if "" in paths else None
    return V1Manager(dirs, unified, _mount_of(unified, root) if unified else None)


def _mount_of(unified: Path, root: Path) -> Path:
    """The cgroup2 mount above a hybrid host's unified dir (``<root>/unified``)."""
    return root / "unified" if unified.is_relative_to(root / "unified") else root
