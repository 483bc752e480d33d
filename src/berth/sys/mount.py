"""mount(2) and umount2(2); the runtime extends this with pivot_root and the new mount API."""

from __future__ import annotations

import ctypes
import os as _os

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


# --- pivot_root and the new mount API (idmapped mounts) -------------------------------------

_SYS = {"x86_64": {"pivot_root": 155, "keyctl": 250},
        "aarch64": {"pivot_root": 41, "keyctl": 219}}.get(_os.uname().machine,
                                                          {"pivot_root": 155, "keyctl": 250})
SYS_OPEN_TREE = 428
SYS_MOVE_MOUNT = 429
SYS_MOUNT_SETATTR = 442

OPEN_TREE_CLONE = 1
OPEN_TREE_CLOEXEC = _os.O_CLOEXEC
AT_EMPTY_PATH = 0x1000
AT_RECURSIVE = 0x8000
MOVE_MOUNT_F_EMPTY_PATH = 0x4
MOUNT_ATTR_RDONLY = 0x1
MOUNT_ATTR_NOSUID = 0x2
MOUNT_ATTR_NODEV = 0x4
MOUNT_ATTR_NOEXEC = 0x8
MOUNT_ATTR__ATIME = 0x70  # the atime mode: an enum of the three below
MOUNT_ATTR_RELATIME = 0x0
MOUNT_ATTR_NOATIME = 0x10
MOUNT_ATTR_STRICTATIME = 0x20
MOUNT_ATTR_NODIRATIME = 0x80
MOUNT_ATTR_IDMAP = 0x00100000
MOUNT_ATTR_NOSYMFOLLOW = 0x00200000
AT_FDCWD = -100

libc.syscall.restype = ctypes.c_long


class _MountAttr(ctypes.Structure):
    _fields_ = [("attr_set", ctypes.c_uint64), ("attr_clr", ctypes.c_uint64),
                ("propagation", ctypes.c_uint64), ("userns_fd", ctypes.c_uint64)]


def pivot_root(new_root: str, put_old: str) -> None:
    """pivot_root(2): make ``new_root`` the root mount; the old root moves to ``put_old``."""
    check(libc.syscall(_SYS["pivot_root"], _b(new_root), _b(put_old)),
          f"pivot_root {new_root}", new_root)


def open_tree(path: str, flags: int, dirfd: int = -100) -> int:
    """open_tree(2): a detached copy of the mount at ``path`` (with OPEN_TREE_CLONE)."""
    return check(libc.syscall(SYS_OPEN_TREE, ctypes.c_int(dirfd), _b(path),
                              ctypes.c_uint(flags)), f"open_tree {path}", path)


def mount_setattr_idmap(fd: int, userns_fd: int, recursive: bool = False) -> None:
    """mount_setattr(2) MOUNT_ATTR_IDMAP: map the detached mount ``fd`` through a userns."""
    attr = _MountAttr(MOUNT_ATTR_IDMAP, 0, 0, userns_fd)
    flags = AT_EMPTY_PATH | (AT_RECURSIVE if recursive else 0)
    check(libc.syscall(SYS_MOUNT_SETATTR, ctypes.c_int(fd), b"", ctypes.c_uint(flags),
                       ctypes.byref(attr), ctypes.c_size_t(ctypes.sizeof(attr))),
          "mount_setattr idmap")


def mount_setattr(path: str, attr_set: int, attr_clr: int, *, recursive: bool = True) -> None:
    """mount_setattr(2) on the mount at ``path`` (and, recursive, every mount below it).

    Unlike a bind remount this reaches submounts, which is what the ``r*`` options mean.
    Linux ≥ 5.12; ENOSYS becomes an error saying so (there is no faithful fallback).
    """
    attr = _MountAttr(attr_set, attr_clr, 0, 0)
    ret = libc.syscall(SYS_MOUNT_SETATTR, ctypes.c_int(AT_FDCWD), _b(path),
                       ctypes.c_uint(AT_RECURSIVE if recursive else 0), ctypes.byref(attr),
                       ctypes.c_size_t(ctypes.sizeof(attr)))
    if ret == -1 and ctypes.get_errno() == 38:
        raise OSError(38, "mount_setattr: not supported by this kernel (recursive mount"
                      " options need Linux 5.12 or later)", path)
    check(ret, f"mount_setattr {path} set={attr_set:#x} clear={attr_clr:#x}", path)


def move_mount(fd: int, target: str) -> None:
    """move_mount(2): attach the detached mount ``fd`` at ``target``."""
    check(libc.syscall(SYS_MOVE_MOUNT, ctypes.c_int(fd), b"", ctypes.c_int(-100), _b(target),
                       ctypes.c_uint(MOVE_MOUNT_F_EMPTY_PATH)), f"move_mount {target}", target)


def join_session_keyring(name: str | None = None) -> int:
    """keyctl(KEYCTL_JOIN_SESSION_KEYRING): give the container its own session keyring."""
    return check(libc.syscall(_SYS["keyctl"], ctypes.c_int(1), _b(name)), "keyctl join")
