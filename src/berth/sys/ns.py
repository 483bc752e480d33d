"""unshare(2) and setns(2): Python 3.11's os module has neither."""

from __future__ import annotations

import ctypes

from berth.sys._libc import check, libc

CLONE_NEWTIME = 0x00000080
CLONE_NEWNS = 0x00020000
CLONE_NEWCGROUP = 0x02000000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000

#: OCI namespace type → (clone flag, /proc/<pid>/ns/<name>).
NAMESPACES: dict[str, tuple[int, str]] = {
    "user": (CLONE_NEWUSER, "user"),
    "pid": (CLONE_NEWPID, "pid"),
    "network": (CLONE_NEWNET, "net"),
    "mount": (CLONE_NEWNS, "mnt"),
    "ipc": (CLONE_NEWIPC, "ipc"),
    "uts": (CLONE_NEWUTS, "uts"),
    "cgroup": (CLONE_NEWCGROUP, "cgroup"),
    "time": (CLONE_NEWTIME, "time"),
}

libc.unshare.argtypes = [ctypes.c_int]
libc.setns.argtypes = [ctypes.c_int, ctypes.c_int]
libc.sethostname.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
libc.setdomainname.argtypes = [ctypes.c_char_p, ctypes.c_size_t]


def unshare(flags: int) -> None:
    """unshare(2): move the caller into new namespaces (pid/time apply to children only)."""
    check(libc.unshare(flags), f"unshare {flags:#x}")


def setns(fd: int, nstype: int = 0, what: str = "namespace") -> None:
    """setns(2): join the namespace ``fd`` refers to; ``what`` names it in errors."""
    check(libc.setns(fd, nstype), f"setns {what}")


def sethostname(name: str) -> None:
    """sethostname(2) in the caller's UTS namespace."""
    raw = name.encode()
    check(libc.sethostname(raw, len(raw)), f"sethostname {name!r}")


def setdomainname(name: str) -> None:
    """setdomainname(2) in the caller's UTS namespace."""
    raw = name.encode()
    check(libc.setdomainname(raw, len(raw)), f"setdomainname {name!r}")
