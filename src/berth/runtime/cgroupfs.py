"""The ``cgroup`` mount type: show the container its own cgroup(s) at the destination.

With a cgroup namespace the kernel roots fresh cgroup mounts at the container's cgroup;
without one, the host hierarchy's subdirectory for the init is bind-mounted. On v1 and
hybrid hosts the destination is a tmpfs holding one directory per hierarchy (and the
host's co-mount symlinks such as ``cpu -> cpu,cpuacct``), as runc lays it out.
"""

from __future__ import annotations

import os

from berth.runtime.paths import make_target
from berth.sys import mount as m

CGROUP_ROOT = "/sys/fs/cgroup"


def host_hierarchies(mountinfo: str = "/proc/self/mountinfo") -> list[tuple[str, str, str]]:
    """(mountpoint, fstype, super options) of each cgroup mount under /sys/fs/cgroup."""
    out = []
    with open(mountinfo) as f:
        for line in f:
            pre, _, post = line.partition(" - ")
            fstype, _src, sopts = [*post.split(), "", ""][:3]
            point = pre.split()[4]
            if fstype in ("cgroup", "cgroup2") and point.startswith(CGROUP_ROOT):
                out.append((point, fstype, sopts))
    return out


def own_paths(proc_cgroup: str = "/proc/self/cgroup") -> dict[str, str]:
    """Controller list (``cpu,cpuacct``, ``name=systemd``, ``""`` for v2) → cgroup path."""
    paths = {}
    with open(proc_cgroup) as f:
        for line in f:
            _hid, ctrls, path = line.rstrip("\n").split(":", 2)
            paths[ctrls] = path
    return paths


def _controllers(fstype: str, sopts: str) -> str:
    if fstype == "cgroup2":
        return ""
    known = [o for o in sopts.split(",") if o not in ("rw", "ro") and not o.startswith(
        ("release_agent", "clone_children", "xattr", "noprefix", "cpuset_v2_mode"))]
    return ",".join(known)


def mount_cgroup(dest: str, flags: int, cgroupns: bool) -> None:
    """Mount the container's view of cgroups at ``dest`` (a path on the host side)."""
    flags &= ~(m.MS_BIND | m.MS_REC | m.MS_REMOUNT)
    hier = host_hierarchies()
    mine = own_paths()
    if len(hier) == 1 and hier[0][0] == CGROUP_ROOT and hier[0][1] == "cgroup2":
        _mount_one(dest, "cgroup2", "", CGROUP_ROOT, mine.get("", "/"), flags, cgroupns)
        return
    make_target(dest, is_dir=True)
    m.mount("tmpfs", dest, "tmpfs", flags & ~m.MS_RDONLY, "mode=755")
    for point, fstype, sopts in hier:
        if point == CGROUP_ROOT:
            continue
        ctrls = _controllers(fstype, sopts)
        sub = os.path.join(dest, os.path.relpath(point, CGROUP_ROOT))
        path = mine.get(ctrls) or mine.get(ctrls.replace("none,", "")) or "/"
        _mount_one(sub, fstype, ctrls, point, path, flags, cgroupns)
    for name in os.listdir(CGROUP_ROOT):
        host = os.path.join(CGROUP_ROOT, name)
        if os.path.islink(host) and not os.path.lexists(os.path.join(dest, name)):
            os.symlink(os.readlink(host), os.path.join(dest, name))
    if flags & m.MS_RDONLY:
        m.mount(None, dest, None, m.MS_REMOUNT | flags, "mode=755")


def _mount_one(dest: str, fstype: str, ctrls: str, host_point: str, path: str, flags: int,
               cgroupns: bool) -> None:
    make_target(dest, is_dir=True)
    if cgroupns:
        m.mount(fstype, dest, fstype, flags, ctrls or None)
        return
    src = os.path.join(host_point, path.lstrip("/"))
    m.mount(src, dest, None, m.MS_BIND | m.MS_REC)
    m.mount(None, dest, None, m.MS_BIND | m.MS_REMOUNT | flags)
