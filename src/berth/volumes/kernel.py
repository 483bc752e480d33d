"""The kernel seam of the volume drivers: mount, unmount, and what /proc says.

Every mount a volume needs goes through a ``Kernel`` so unit tests can record the
requests with a fake; ``HostKernel`` is the real one over ``berth.sys.mount``, with the
``/proc`` root as a constructor argument.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Protocol

from berth.sys import mount as sysmount


class Kernel(Protocol):
    def mount(self, source: str, target: str, fstype: str, flags: int, data: str) -> None:
        """mount(2); raises OSError."""

    def unmount(self, target: str) -> None:
        """Detach the mount at ``target``; raises OSError."""

    def mounts_under(self, path: str) -> list[str]:
        """Mount points at or below ``path``, deepest first."""

    def filesystems(self) -> set[str]:
        """Filesystem types the kernel has now (``/proc/filesystems``)."""


class HostKernel:
    """The real kernel."""

    def __init__(self, proc: Path = Path("/proc")) -> None:
        self.proc = proc

    def mount(self, source: str, target: str, fstype: str, flags: int, data: str) -> None:
        sysmount.mount(source or None, target, fstype or None, flags, data or None)

    def unmount(self, target: str) -> None:
        try:
            sysmount.umount(target, sysmount.MNT_DETACH)
        except OSError as e:
            if e.errno != errno.EINVAL:  # not a mount point (any more)
                raise

    def mounts_under(self, path: str) -> list[str]:
        root = os.path.realpath(path)
        found = [p for p in mount_points(self.proc / "self" / "mountinfo")
                 if p == root or p.startswith(root.rstrip("/") + "/")]
        return sorted(found, key=len, reverse=True)

    def filesystems(self) -> set[str]:
        try:
            text = (self.proc / "filesystems").read_text()
        except OSError:
            return set()
        return {line.split()[-1] for line in text.splitlines() if line.split()}


def mount_points(mountinfo: Path) -> list[str]:
    """Field 5 of each mountinfo line, octal escapes (``\\040``) undone."""
    try:
        lines = mountinfo.read_text().splitlines()
    except OSError:
        return []
    return [_unescape(line.split()[4]) for line in lines if len(line.split()) > 4]


def _unescape(s: str) -> str:
    if "\\" not in s:
        return s
    out, i = [], 0
    while i < len(s):
        if s[i] == "\\" and len(s[i + 1:i + 4]) == 3 and s[i + 1:i + 4].isdigit():
            out.append(chr(int(s[i + 1:i + 4], 8)))
            i += 4
        else:
            out.append(s[i])
            i += 1
    return "".join(out)
