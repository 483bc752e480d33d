"""seccomp: libseccomp.so.2 (via ctypes) to build filters, seccomp(2) to load them.

Building and loading are split on purpose: libseccomp turns rules into classic BPF once,
outside the container; the container process only needs ``load_filter`` (a plain syscall,
no libseccomp) right before execve. libseccomp is opened on first use so hosts without it
can still load precompiled filters.
"""

from __future__ import annotations

import ctypes
import os
import struct

from berth.sys._libc import check, libc

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

# Actions (seccomp.h); ERRNO and TRACE carry a 16-bit value in the low bits.
ACT_KILL_PROCESS = 0x80000000
ACT_KILL_THREAD = 0x00000000
ACT_TRAP = 0x00030000
ACT_ERRNO = 0x00050000
ACT_TRACE = 0x7FF00000
ACT_LOG = 0x7FFC0000
ACT_ALLOW = 0x7FFF0000
ACT_NOTIFY = 0x7FC00000

# enum scmp_compare
CMP_NE, CMP_LT, CMP_LE, CMP_EQ, CMP_GE, CMP_GT, CMP_MASKED_EQ = range(1, 8)

# enum scmp_filter_attr (the ones berth sets)
ATTR_ACT_BADARCH = 2
ATTR_CTL_NNP = 3

# seccomp(2)
SECCOMP_SET_MODE_FILTER = 1
FILTER_FLAGS = {"SECCOMP_FILTER_FLAG_TSYNC": 1, "SECCOMP_FILTER_FLAG_LOG": 2,
                "SECCOMP_FILTER_FLAG_SPEC_ALLOW": 4, "SECCOMP_FILTER_FLAG_NEW_LISTENER": 8,
                "SECCOMP_FILTER_FLAG_TSYNC_ESRCH": 16,
                "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV": 32}
_NR_SECCOMP = {"x86_64": 317, "aarch64": 277, "i686": 354, "i386": 354, "armv7l": 383,
               "ppc64le": 358, "s390x": 348, "riscv64": 277}
NR_SCMP_ERROR = -1
PR_SET_NO_NEW_PRIVS = 38


def act_errno(errno_value: int) -> int:
    return ACT_ERRNO | (errno_value & 0xFFFF)


def act_trace(msg: int) -> int:
    return ACT_TRACE | (msg & 0xFFFF)


class _ArgCmp(ctypes.Structure):
    _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int), ("datum_a", ctypes.c_uint64),
                ("datum_b", ctypes.c_uint64)]


class _Version(ctypes.Structure):
    _fields_ = [("major", ctypes.c_uint), ("minor", ctypes.c_uint), ("micro", ctypes.c_uint)]


_lib: Any = None


def lib() -> Any:
    """libseccomp.so.2 with prototypes, loaded once."""
    global _lib
    if _lib is None:
        try:
            so = ctypes.CDLL("libseccomp.so.2", use_errno=True)
        except OSError as e:
            raise OSError(f"libseccomp.so.2 not found (install libseccomp2): {e}") from e
        vp = ctypes.c_void_p
        for name, res, args in (
            ("seccomp_init", vp, [ctypes.c_uint32]),
            ("seccomp_release", None, [vp]),
            ("seccomp_arch_add", ctypes.c_int, [vp, ctypes.c_uint32]),
            ("seccomp_arch_native", ctypes.c_uint32, []),
            ("seccomp_arch_resolve_name", ctypes.c_uint32, [ctypes.c_char_p]),
            ("seccomp_syscall_resolve_name", ctypes.c_int, [ctypes.c_char_p]),
            ("seccomp_rule_add_array", ctypes.c_int,
             [vp, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint, ctypes.POINTER(_ArgCmp)]),
            ("seccomp_attr_set", ctypes.c_int, [vp, ctypes.c_int, ctypes.c_uint32]),
            ("seccomp_export_bpf", ctypes.c_int, [vp, ctypes.c_int]),
            ("seccomp_version", ctypes.POINTER(_Version), []),
        ):
            fn = getattr(so, name)
            fn.restype, fn.argtypes = res, args
        _lib = so
    return _lib


def version() -> str:
    v = lib().seccomp_version().contents
    return f"{v.major}.{v.minor}.{v.micro}"


def _rc(rc: int, what: str) -> None:
    """libseccomp returns -errno."""
    if rc < 0:
        raise OSError(-rc, f"{what}: {os.strerror(-rc)}")


def resolve_arch(name: str) -> int:
    """libseccomp arch token for ``x86_64``, ``x86``, ``x32``, ``aarch64`` …; 0 if unknown."""
    return int(lib().seccomp_arch_resolve_name(name.encode()))


def resolve_syscall(name: str) -> int:
    """Syscall number for the native arch (negative pseudo-numbers for e.g. socketcall)."""
    return int(lib().seccomp_syscall_resolve_name(name.encode()))


class Filter:
    """A libseccomp filter context; use as a context manager so it is always released."""

    def __init__(self, default_action: int) -> None:
        self._ctx = lib().seccomp_init(default_action)
        if not self._ctx:
            raise OSError(f"seccomp_init({default_action:#x}) failed (invalid default action)")

    def __enter__(self) -> Filter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def release(self) -> None:
        if self._ctx:
            lib().seccomp_release(self._ctx)
            self._ctx = None

    def add_arch(self, token: int) -> bool:
        """False if the arch was already present (the native one always is)."""
        rc = lib().seccomp_arch_add(self._ctx, token)
        if rc == -17:  # EEXIST
            return False
        _rc(rc, f"seccomp_arch_add({token:#x})")
        return True

    def set_attr(self, attr: int, value: int) -> None:
        _rc(lib().seccomp_attr_set(self._ctx, attr, value), f"seccomp_attr_set({attr})")

    def add_rule(self, action: int, nr: int,
                 args: Sequence[tuple[int, int, int, int]] = ()) -> None:
        """One rule; ``args`` are (index, op, value, valueTwo) and all must match."""
        arr = (_ArgCmp * max(len(args), 1))(*[_ArgCmp(*a) for a in args])
        _rc(lib().seccomp_rule_add_array(self._ctx, action, nr, len(args), arr),
            f"seccomp_rule_add(syscall {nr})")

    def export_bpf(self) -> bytes:
        """The filter as an array of struct sock_filter (8 bytes each)."""
        fd = os.memfd_create("berth-seccomp", os.MFD_CLOEXEC)
        try:
            _rc(lib().seccomp_export_bpf(self._ctx, fd), "seccomp_export_bpf")
            os.lseek(fd, 0, os.SEEK_SET)
            chunks = []
            while chunk := os.read(fd, 1 << 16):
                chunks.append(chunk)
            return b"".join(chunks)
        finally:
            os.close(fd)


def set_no_new_privs() -> None:
    """prctl(PR_SET_NO_NEW_PRIVS, 1): lets an unprivileged process install a filter."""
    check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)")


def load_filter(bpf: bytes, flags: int = 0) -> int:
    """seccomp(SECCOMP_SET_MODE_FILTER, flags, &prog); returns the syscall's result
    (a listener fd with NEW_LISTENER, else 0). Needs no_new_privs or CAP_SYS_ADMIN."""
    if len(bpf) % 8 or not bpf:
        raise ValueError(f"seccomp filter of {len(bpf)} bytes is not a sock_filter array")
    nr = _NR_SECCOMP.get(os.uname().machine)
    if nr is None:
        raise OSError(f"seccomp(2) number unknown for {os.uname().machine}")
    buf = ctypes.create_string_buffer(bpf, len(bpf))
    prog = struct.pack("@HP", len(bpf) // 8, ctypes.addressof(buf))
    prog_buf = ctypes.create_string_buffer(prog, len(prog))
    return check(libc.syscall(ctypes.c_long(nr), ctypes.c_long(SECCOMP_SET_MODE_FILTER),
                              ctypes.c_ulong(flags), prog_buf), "seccomp(SET_MODE_FILTER)")
