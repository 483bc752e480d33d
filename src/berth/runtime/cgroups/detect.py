"""Which cgroup hierarchies a host has, read from mountinfo, and where a container's cgroup goes.

Three modes (the words runc and systemd use):

- ``v1``: one cgroup (v1) mount per controller (or per co-mounted group);
- ``hybrid``: v1 controllers plus a cgroup2 mount (usually ``<root>/unified``) that may hold
  controllers no v1 hierarchy took (hugetlb on some hosts);
- ``v2``: a single cgroup2 mount at ``root``.

Detection is a pure function of the mountinfo text so tests can feed any host shape; a
``Layout`` can also be built directly for fake trees.
"""

from __future__ import annotations

import os
import posixpath

from berth.errdefs import FailedPrecondition, InvalidArgument
from berth.runtime.cgroups._path import CgPath

TYPE_CHECKING = False
if TYPE_CHECKING:
    from berth.runtime.cgroups._path import StrPath

V1_CONTROLLERS = ("cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids",
                  "hugetlb", "net_cls", "net_prio", "perf_event", "rdma", "misc")


class _Record:
    """Value semantics for the plain classes below: ``dataclasses`` (~10 ms) and
    ``typing.NamedTuple`` (~3 ms) cost more import time than the runtime's hot path has."""

    __slots__: tuple[str, ...] = ()

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, k) for k in self.__slots__)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Record) and type(other) is type(self) \
            and self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={getattr(self, k)!r}" for k in self.__slots__)
        return f"{type(self).__name__}({fields})"


class Mount(_Record):
    """One cgroup hierarchy: where it is mounted and which cgroup path is its mount root."""

    __slots__ = ("mountpoint", "root")

    def __init__(self, mountpoint: StrPath, root: str = "/") -> None:
        self.mountpoint, self.root = CgPath(mountpoint), root


class Layout(_Record):
    """The hierarchies of one host; ``v1`` maps controller (or ``name=systemd``) → mount."""

    __slots__ = ("mode", "unified", "v1")

    def __init__(self, mode: str, v1: dict[str, Mount], unified: Mount | None = None) -> None:
        self.mode, self.v1, self.unified = mode, v1, unified

    @classmethod
    def v2_at(cls, root: StrPath) -> Layout:
        return cls("v2", {}, Mount(root))


def parse_mountinfo(text: str, under: StrPath) -> Layout:
    """Layout from /proc/<pid>/mountinfo, keeping only mounts below ``under``."""
    v1: dict[str, Mount] = {}
    unified: Mount | None = None
    base = os.path.normpath(under)
    for line in text.splitlines():
        pre, sep, post = line.partition(" - ")
        if not sep:
            continue
        fields, tail = pre.split(), post.split()
        mnt_root, point = _unescape(fields[3]), _unescape(fields[4])
        if point != base and not point.startswith(base.rstrip("/") + "/"):
            continue
        if tail[0] == "cgroup2":
            unified = Mount(CgPath(point), mnt_root)
        elif tail[0] == "cgroup":
            for opt in tail[2].split(","):
                if opt in V1_CONTROLLERS or opt.startswith("name="):
                    v1.setdefault(opt, Mount(CgPath(point), mnt_root))
    if v1:
        return Layout("hybrid" if unified else "v1", v1, unified)
    if unified:
        return Layout("v2", {}, unified)
    raise FailedPrecondition(f"no cgroup or cgroup2 filesystem is mounted under {under}")


def _unescape(s: str) -> str:
    """mountinfo escapes space, tab, newline and backslash as octal."""
    return s.encode().decode("unicode_escape") if "\\" in s else s


def detect(root: StrPath, proc: StrPath) -> Layout:
    """The layout of the host whose /proc is ``proc``, restricted to mounts under ``root``."""
    with open(os.path.join(proc, "self", "mountinfo")) as f:
        return parse_mountinfo(f.read(), root)


def own_cgroups(proc: StrPath) -> dict[str, str]:
    """The caller's cgroup per controller from /proc/self/cgroup; ``""`` is the v2 one."""
    out: dict[str, str] = {}
    with open(os.path.join(proc, "self", "cgroup")) as f:
        for line in f:
            _, ctrls, path = line.rstrip("\n").split(":", 2)
            for c in ctrls.split(",") if ctrls else [""]:
                out[c] = path
    return out


def clean_path(cgroups_path: str, container_id: str) -> str:
    """Check ``linux.cgroupsPath``; ``""`` means ``/<id>`` (runc's default). Never climbs out."""
    if container_id == "" or "/" in container_id:
        raise InvalidArgument(f"container id {container_id!r}: cannot name a cgroup")
    if cgroups_path == "":
        return "/" + container_id
    if ":" in cgroups_path and not cgroups_path.startswith("/"):
        raise InvalidArgument(f"linux.cgroupsPath {cgroups_path!r}: looks like a systemd "
                              "slice:prefix:name path; berth has no systemd cgroup driver yet")
    if ".." in cgroups_path.split("/"):
        raise InvalidArgument(f"linux.cgroupsPath {cgroups_path!r}: '..' is not allowed")
    norm = posixpath.normpath(cgroups_path)
    if norm in ("/", "."):
        raise InvalidArgument(f"linux.cgroupsPath {cgroups_path!r}: names the root cgroup")
    return norm


def place(mount: Mount, inner: str, own: str | None) -> CgPath:
    """Directory for cgroup path ``inner`` in ``mount``; relative paths join the caller's own."""
    if not inner.startswith("/"):
        inner = posixpath.join(own or "/", inner)
    if mount.root != "/" and (inner == mount.root or inner.startswith(mount.root + "/")):
        inner = inner[len(mount.root):] or "/"
    return mount.mountpoint / inner.lstrip("/")
