"""fork(2) straight into new namespaces and a cgroup v2 directory: clone3(2).

Why: moving a process by writing its pid to ``cgroup.procs`` takes the kernel's
threadgroup rwsem for writing, which waits for an RCU grace period (10-20 ms on an idle
host, more under load). A child born in the cgroup costs nothing extra. Namespace flags
make the child the container init at once, where unshare(2) would need a second fork for
the pid namespace. Only the cgroup2 hierarchy supports the cgroup part; v1 hierarchies are
joined by the single-threaded child itself writing ``0`` to ``tasks`` (which skips the
global lock, see ``cgroups.manager``).

The syscall is raw (glibc has no wrapper), so the interpreter's own fork bookkeeping is
done by hand around it with ``PyOS_BeforeFork``/``PyOS_AfterFork_*``, exactly what
``os.fork`` does. The child is only ever a runtime child that execs or ``_exit``s;
glibc's cached thread id in it is stale, which nothing it runs depends on (glibc ≥ 2.34
asks the kernel for the tid in ``raise``). Callers must be single-threaded, as for
``os.fork``.
"""

from __future__ import annotations

import ctypes
import os

from berth.sys._libc import libc

SYS_CLONE3 = 435  # x86_64 and aarch64 (asm-generic) alike
CLONE_INTO_CGROUP = 0x200000000
_SIGCHLD = 17


class _CloneArgs(ctypes.Structure):
    _fields_ = [(name, ctypes.c_uint64) for name in (
        "flags", "pidfd", "child_tid", "parent_tid", "exit_signal", "stack", "stack_size",
        "tls", "set_tid", "set_tid_size", "cgroup")]


_py = ctypes.pythonapi
# a private prototype: other modules give libc.syscall their own argtypes
_syscall = ctypes.CFUNCTYPE(ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_size_t,
                            use_errno=True)(("syscall", libc))
_unsupported = False


def clone_fork(flags: int = 0, cgroup_fd: int = -1) -> int:
    """Like ``os.fork()``, with the child born in the namespaces ``flags`` asks for
    (``CLONE_NEW*``) and, if ``cgroup_fd`` is not -1, in that cgroup2 directory.

    Raises OSError (ENOSYS, EINVAL, …) when the kernel cannot do it; the caller then
    falls back to ``os.fork`` (plus unshare and a ``cgroup.procs`` write). A failure of
    the clone3 call itself leaves the interpreter as it was.
    """
    global _unsupported
    if _unsupported:
        raise OSError(38, "clone3 unsupported")
    if cgroup_fd != -1:
        flags |= CLONE_INTO_CGROUP
    args = _CloneArgs(flags=flags, exit_signal=_SIGCHLD, cgroup=max(cgroup_fd, 0))
    _py.PyOS_BeforeFork()
    pid = _syscall(SYS_CLONE3, ctypes.addressof(args), ctypes.sizeof(args))
    if pid == 0:
        _py.PyOS_AfterFork_Child()
        return 0
    err = ctypes.get_errno() if pid < 0 else 0
    _py.PyOS_AfterFork_Parent()
    if pid < 0:
        if err in (38, 1):  # ENOSYS (old kernel), EPERM (seccomp'd clone3 in a container)
            _unsupported = True
        raise OSError(err, f"clone3 {flags:#x}: {os.strerror(err)}")
    return int(pid)
