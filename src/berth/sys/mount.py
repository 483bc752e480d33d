"""mount(2) and umount2(2); the runtime extends this with pivot_root and the new mount API."""

from __future__ import annotations

import ctypes

from berth.sys._libc import check, libc

MS_RDONLY = 0x1
MS_NOSUID = 0x2
MS_NODEV = 0x4
MS_NOEXEC = 0x8
MS_REMOUNT = 0x20
MS_NOATIME = 0x400
MS_BIND = 0x1000
MS_MOVE = 0x2000
MS_REC = 0x4000
MS_PRIVATE = 0x40000
MS_SLAVE = 0x80000
MS_SHARED = 0x100000
MS_UNBINDABLE = 0x20000

MNT_FORCE = 0x1
MNT_DETACH = 0x2

libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong,
                       ctypes.c_char_p]
libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]


def _b(s: str | None) -> bytes | None:
    return s.encode() if s is not None else None


def mount(source: str | None, target: str, fstype: str | None, flags: int = 0,
          data: str | None = None) -> None:
    """mount(2); raises OSError naming the target."""
    check(libc.mount(_b(source), _b(target), _b(fstype), flags, _b(data)),
          f"mount {fstype or 'bind'} {source} on {target}", target)


def umount(target: str, flags: int = 0) -> None:
    """umount2(2)."""
    check(libc.umount2(_b(target), flags), f"umount {target}", target)
