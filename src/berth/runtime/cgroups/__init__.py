"""Container cgroups on cgroup v1, hybrid and v2 hosts (see docs/design/cgroups.md).

``open_manager`` reads the host layout from mountinfo (or takes one, for tests) and returns a
``V1Manager`` or ``V2Manager``; ``from_paths`` reopens one from the paths a state file kept.
"""

from __future__ import annotations

import os

from berth.errdefs import FailedPrecondition, NotImplementedYet
from berth.runtime.cgroups._path import CgPath
from berth.runtime.cgroups.detect import Layout, clean_path, detect, own_cgroups, place
from berth.runtime.cgroups.v1 import V1Manager

__all__ = ["CgroupManager", "Layout", "OomWatcher", "V1Manager", "V2Manager", "from_paths",
           "open_manager"]


TYPE_CHECKING = False
if TYPE_CHECKING:
    from berth.runtime.cgroups._path import StrPath
    from berth.runtime.cgroups.protocol import CgroupManager, OomWatcher
    from berth.runtime.cgroups.v2 import V2Manager


def __getattr__(name: str) -> object:
    """``CgroupManager``/``OomWatcher`` (typing Protocols) and the v2 driver (only v2
    hosts need it on the hot path) load on first use only."""
    if name in ("CgroupManager", "OomWatcher"):
        from berth.runtime.cgroups import protocol
        return getattr(protocol, name)
    if name == "V2Manager":
        from berth.runtime.cgroups.v2 import V2Manager
        return V2Manager
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def open_manager(cgroups_path: str, container_id: str, *, root: StrPath = "/sys/fs/cgroup",
                 systemd: bool = False, proc: StrPath = "/proc",
                 layout: Layout | None = None) -> CgroupManager:
    """The manager for ``linux.cgroupsPath`` (``""`` → ``/<id>``; relative → below our own)."""
    if systemd:
        raise NotImplementedYet("--systemd-cgroup: berth has no systemd cgroup driver yet; "
                                "use the cgroupfs driver")
    inner = clean_path(cgroups_path, container_id)
    layout = layout or host_layout(root, proc)
    own = own_cgroups(proc) if not inner.startswith("/") else {}
    if layout.mode == "v2":
        assert layout.unified is not None
        from berth.runtime.cgroups.v2 import V2Manager
        return V2Manager(place(layout.unified, inner, own.get("")), layout.unified.mountpoint)
    dirs = {c: place(m, inner, own.get(c)) for c, m in layout.v1.items()}
    unified = layout.unified
    return V1Manager(dirs, place(unified, inner, own.get("")) if unified else None,
                     unified.mountpoint if unified else None)


_LAYOUTS: dict[tuple[str, str], Layout] = {}


def host_layout(root: StrPath = "/sys/fs/cgroup", proc: StrPath = "/proc") -> Layout:
    """``detect`` once per process (as runc does): a warm caller creating many containers
    need not re-read mountinfo; cgroup hierarchies are not remounted under a running host."""
    key = (os.fspath(root), os.fspath(proc))
    if key not in _LAYOUTS:
        _LAYOUTS[key] = detect(root, proc)
    return _LAYOUTS[key]


def from_paths(paths: dict[str, str], root: StrPath = "/sys/fs/cgroup") -> CgroupManager:
    """Reopen a manager from ``paths()`` output (the runtime's state file keeps it)."""
    if not paths:
        raise FailedPrecondition("no cgroup paths recorded")
    if set(paths) == {""}:
        from berth.runtime.cgroups.v2 import V2Manager
        return V2Manager(CgPath(paths[""]), root)
    dirs = {c: CgPath(p) for c, p in paths.items() if c}
    unified = CgPath(paths[""]) if "" in paths else None
    return V1Manager(dirs, unified, _mount_of(unified, root) if unified else None)


def _mount_of(unified: CgPath, root: StrPath) -> CgPath:
    root = CgPath(root)
    """The cgroup2 mount above a hybrid host's unified dir (``<root>/unified``)."""
    return root / "unified" if unified.is_relative_to(root / "unified") else root
