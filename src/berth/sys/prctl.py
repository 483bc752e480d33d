"""prctl(2) and personality(2): the process knobs a container init turns before execve."""

from __future__ import annotations

import ctypes

from berth.sys._libc import check, libc

PR_SET_PDEATHSIG = 1
PR_SET_KEEPCAPS = 8
PR_SET_NAME = 15
PR_CAPBSET_READ = 23
PR_CAPBSET_DROP = 24
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38
PR_GET_NO_NEW_PRIVS = 39
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_RAISE = 2
PR_CAP_AMBIENT_CLEAR_ALL = 4

libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong,
                       ctypes.c_ulong]
libc.personality.argtypes = [ctypes.c_ulong]

#: OCI personality domains (runtime-spec linux.personality.domain).
PERSONALITY = {"LINUX": 0x0000, "LINUX32": 0x0008}


def prctl(option: int, a2: int = 0, a3: int = 0, a4: int = 0, a5: int = 0) -> int:
    """Raw prctl(2); raises OSError on -1."""
    return check(libc.prctl(option, a2, a3, a4, a5), f"prctl {option}")


def set_no_new_privs() -> None:
    """Forbid privilege gain through execve (setuid bits, file caps) for good."""
    prctl(PR_SET_NO_NEW_PRIVS, 1)


def no_new_privs() -> bool:
    return prctl(PR_GET_NO_NEW_PRIVS) == 1


def set_pdeathsig(sig: int) -> None:
    """Deliver ``sig`` to the caller when its parent dies (so orphans do not linger)."""
    prctl(PR_SET_PDEATHSIG, sig)


def set_keepcaps(on: bool) -> None:
    """Keep permitted caps across setuid away from 0 (needed before dropping to a user)."""
    prctl(PR_SET_KEEPCAPS, int(on))


def set_child_subreaper(on: bool = True) -> None:
    """Adopt orphaned descendants, so the container init (a grandchild) can be waited for."""
    prctl(PR_SET_CHILD_SUBREAPER, int(on))


def set_name(name: str) -> None:
    """Set the thread's comm name (ps shows it)."""
    buf = ctypes.create_string_buffer(name.encode()[:15])
    check(libc.prctl(PR_SET_NAME, ctypes.cast(buf, ctypes.c_void_p).value or 0, 0, 0, 0),
          "prctl PR_SET_NAME")


def personality(persona: int) -> int:
    """personality(2); returns the previous persona."""
    return check(libc.personality(persona), f"personality {persona:#x}")
