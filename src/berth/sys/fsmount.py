"""The new mount API (fsopen, fsconfig, fsmount, move_mount; Linux ≥ 5.2, ``lowerdir+`` ≥ 6.8).

mount(2) takes its options as one page of data (4095 bytes), which a long overlay
``lowerdir=`` list overflows; fsconfig(2) takes them one key at a time, so there is no limit.
"""

from __future__ import annotations

import contextlib
import ctypes
import os

from berth.sys._libc import check, libc

SYS_MOVE_MOUNT = 429
SYS_FSOPEN = 430
SYS_FSCONFIG = 431
SYS_FSMOUNT = 432

FSOPEN_CLOEXEC = 0x1
FSMOUNT_CLOEXEC = 0x1
FSCONFIG_SET_FLAG = 0
FSCONFIG_SET_STRING = 1
FSCONFIG_CMD_CREATE = 6
MOVE_MOUNT_F_EMPTY_PATH = 0x4
AT_FDCWD = -100

MOUNT_ATTR_RDONLY = 0x1
MOUNT_ATTR_NOSUID = 0x2
MOUNT_ATTR_NODEV = 0x4
MOUNT_ATTR_NOEXEC = 0x8
MOUNT_ATTR_NOATIME = 0x10
MOUNT_ATTR_STRICTATIME = 0x20
MOUNT_ATTR_NODIRATIME = 0x80

libc.syscall.restype = ctypes.c_long


def _syscall(nr: int, *args: object, what: str) -> int:
    return check(libc.syscall(ctypes.c_long(nr), *args), what)


def fsopen(fstype: str) -> int:
    """A filesystem context fd for ``fstype``."""
    return _syscall(SYS_FSOPEN, ctypes.c_char_p(fstype.encode()), ctypes.c_uint(FSOPEN_CLOEXEC),
                    what=f"fsopen {fstype}")


def _fsconfig(fd: int, cmd: int, key: str | None, value: str | None) -> None:
    k = ctypes.c_char_p(key.encode()) if key is not None else ctypes.c_char_p(None)
    v = ctypes.c_char_p(value.encode()) if value is not None else ctypes.c_char_p(None)
    try:
        _syscall(SYS_FSCONFIG, ctypes.c_int(fd), ctypes.c_uint(cmd), k, v, ctypes.c_int(0),
                 what=f"fsconfig {key}={value}" if key else "fsconfig create")
    except OSError as e:
        log = read_log(fd)
        if log:
            raise OSError(e.errno, f"{e.strerror}: {'; '.join(log)}") from None
        raise


def set_string(fd: int, key: str, value: str) -> None:
    _fsconfig(fd, FSCONFIG_SET_STRING, key, value)


def set_flag(fd: int, key: str) -> None:
    _fsconfig(fd, FSCONFIG_SET_FLAG, key, None)


def create(fd: int) -> None:
    """Create the superblock from the configured context."""
    _fsconfig(fd, FSCONFIG_CMD_CREATE, None, None)


def fsmount(fd: int, attr_flags: int = 0) -> int:
    """A detached mount fd for the created superblock."""
    return _syscall(SYS_FSMOUNT, ctypes.c_int(fd), ctypes.c_uint(FSMOUNT_CLOEXEC),
                    ctypes.c_uint(attr_flags), what="fsmount")


def move_mount(mount_fd: int, target: str) -> None:
    """Attach a detached mount at ``target``."""
    _syscall(SYS_MOVE_MOUNT, ctypes.c_int(mount_fd), ctypes.c_char_p(b""),
             ctypes.c_int(AT_FDCWD), ctypes.c_char_p(target.encode()),
             ctypes.c_uint(MOVE_MOUNT_F_EMPTY_PATH), what=f"move_mount to {target}")


def read_log(fd: int) -> list[str]:
    """Messages the kernel left in a filesystem context (why a fsconfig failed)."""
    out: list[str] = []
    with contextlib.suppress(OSError):
        while len(out) < 32:
            out.append(os.read(fd, 4096).decode(errors="replace").strip())
    return out
