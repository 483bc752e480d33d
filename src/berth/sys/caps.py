"""Linux capabilities: capget/capset, the bounding set and ambient set via prctl."""

from __future__ import annotations

import ctypes

from berth.sys import prctl as _prctl
from berth.sys._libc import check, libc

#: Capability names in kernel order (index == capability number).
CAP_NAMES = (
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
    "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
    "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
    "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
    "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
)
CAP_NUMBERS = {name: i for i, name in enumerate(CAP_NAMES)}
_LINUX_CAPABILITY_VERSION_3 = 0x20080522


class _Header(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _Data(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


libc.capget.argtypes = [ctypes.POINTER(_Header), ctypes.POINTER(_Data)]
libc.capset.argtypes = [ctypes.POINTER(_Header), ctypes.POINTER(_Data)]


def last_cap(proc: str = "/proc") -> int:
    """Highest capability number the running kernel knows."""
    try:
        with open(f"{proc}/sys/kernel/cap_last_cap") as f:
            return int(f.read())
    except OSError:
        return len(CAP_NAMES) - 1


def mask(numbers: set[int] | list[int]) -> int:
    """Capability numbers → 64-bit mask."""
    out = 0
    for n in numbers:
        out |= 1 << n
    return out


def capget(pid: int = 0) -> tuple[int, int, int]:
    """(effective, permitted, inheritable) masks of ``pid`` (0 = caller)."""
    hdr = _Header(_LINUX_CAPABILITY_VERSION_3, pid)
    data = (_Data * 2)()
    check(libc.capget(ctypes.byref(hdr), data), "capget")
    eff = data[0].effective | data[1].effective << 32
    perm = data[0].permitted | data[1].permitted << 32
    inh = data[0].inheritable | data[1].inheritable << 32
    return eff, perm, inh


def capset(effective: int, permitted: int, inheritable: int) -> None:
    """Set the caller's three per-thread sets (masks)."""
    hdr = _Header(_LINUX_CAPABILITY_VERSION_3, 0)
    data = (_Data * 2)()
    for i in range(2):
        shift = 32 * i
        data[i].effective = (effective >> shift) & 0xFFFFFFFF
        data[i].permitted = (permitted >> shift) & 0xFFFFFFFF
        data[i].inheritable = (inheritable >> shift) & 0xFFFFFFFF
    check(libc.capset(ctypes.byref(hdr), data), "capset")


def drop_bounding(keep: int, last: int) -> None:
    """Drop from the bounding set every capability up to ``last`` not in ``keep``."""
    for n in range(last + 1):
        if not keep & (1 << n):
            _prctl.prctl(_prctl.PR_CAPBSET_DROP, n)


def set_ambient(caps: int, last: int) -> None:
    """Clear the ambient set, then raise each capability in ``caps``."""
    _prctl.prctl(_prctl.PR_CAP_AMBIENT, _prctl.PR_CAP_AMBIENT_CLEAR_ALL)
    for n in range(last + 1):
        if caps & (1 << n):
            _prctl.prctl(_prctl.PR_CAP_AMBIENT, _prctl.PR_CAP_AMBIENT_RAISE, n)
