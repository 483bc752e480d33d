"""Loading compiled filters into real processes: errno values, argument conditions, kill
actions, unprivileged loading, and Docker's default profile under busybox."""

from __future__ import annotations

import ctypes
import errno
import os
import signal
import subprocess
import tempfile
from collections.abc import Callable
from typing import Any

import pytest

from berth.runtime.seccomp import compile_filter, load_filter
from berth.runtime.seccomp_default import default_profile
from berth.sys import seccomp as sc

pytestmark = pytest.mark.root
DOCKER_CAPS = ["CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID",
               "SETUID", "SETFCAP", "SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT", "KILL",
               "AUDIT_WRITE"]
libc = ctypes.CDLL(None, use_errno=True)


def in_child(profile: dict[str, Any], body: Callable[[], int], flags: list[str] | None = None,
             before: Callable[[], None] | None = None) -> int:
    """Fork; the child loads the filter then runs ``body``; returns the raw wait status.
    The child leaves only through os._exit (exit 200+ means the set-up itself failed)."""
    bpf = compile_filter(profile)
    pid = os.fork()
    if pid == 0:
        code = 201
        try:
            if before:
                before()
            sc.set_no_new_privs()
            load_filter(bpf, flags)
            code = 202
            code = body()
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return status


def _errno_of(fn: Callable[[], object]) -> Callable[[], int]:
    def body() -> int:
        try:
            fn()
        except OSError as e:
            return e.errno or 0
        return 0
    return body


def test_custom_errno_for_mkdir() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        profile = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
            {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}]}
        status = in_child(profile, _errno_of(lambda: os.mkdir(f"{tmp}/x")))
        assert os.waitstatus_to_exitcode(status) == errno.ENOSYS
        assert not os.path.exists(f"{tmp}/x")


def test_default_errno_is_eperm_and_tsync_flag_loads() -> None:
    profile = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
        {"names": ["getcwd"], "action": "SCMP_ACT_ERRNO"}]}
    status = in_child(profile, _errno_of(os.getcwd), flags=["SECCOMP_FILTER_FLAG_TSYNC"])
    assert os.waitstatus_to_exitcode(status) == errno.EPERM


def test_argument_conditions() -> None:
    profile = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
        {"names": ["personality"], "action": "SCMP_ACT_ERRNO",
         "args": [{"index": 0, "value": 0xFFFFFFFF, "op": "SCMP_CMP_NE"}]}]}

    def body() -> int:
        libc.personality.argtypes = [ctypes.c_ulong]
        if libc.personality(0xFFFFFFFF) == -1:  # the query form stays allowed
            return 1
        if libc.personality(0) != -1:
            return 2
        return ctypes.get_errno()

    assert os.waitstatus_to_exitcode(in_child(profile, body)) == errno.EPERM


def test_kill_action_delivers_sigsys() -> None:
    profile = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
        {"names": ["getcwd"], "action": "SCMP_ACT_KILL_PROCESS"}]}
    status = in_child(profile, lambda: len(os.getcwd()))
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGSYS


def test_default_kill_kills_everything_not_allowed() -> None:
    allowed = ["exit_group", "exit", "rt_sigreturn", "getpid"]
    profile = {"defaultAction": "SCMP_ACT_KILL", "syscalls": [
        {"names": allowed, "action": "SCMP_ACT_ALLOW"}]}
    status = in_child(profile, lambda: len(os.getcwd()))
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGSYS


def test_unprivileged_process_can_load_after_no_new_privs() -> None:
    def drop() -> None:
        os.setgroups([])
        os.setgid(65534)
        os.setuid(65534)

    profile = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
        {"names": ["getcwd"], "action": "SCMP_ACT_ERRNO", "errnoRet": errno.EACCES}]}

    def body() -> int:
        return (_errno_of(os.getcwd)() if os.getuid() == 65534 else 99)

    assert os.waitstatus_to_exitcode(in_child(profile, body, before=drop)) == errno.EACCES


def test_docker_default_profile_under_busybox(tmp_path: Any) -> None:
    bpf = compile_filter(default_profile(DOCKER_CAPS))
    target = tmp_path / "mnt"
    target.mkdir()

    def confine() -> None:
        sc.set_no_new_privs()
        load_filter(bpf)

    script = (f"ls / >/dev/null && sh -c 'echo nested' && echo ok; "
              f"unshare -m true 2>&1; echo unshare=$?; "
              f"mount -t tmpfs none {target} 2>&1; echo mount=$?")
    out = subprocess.run(["busybox", "sh", "-c", script], preexec_fn=confine,
                         capture_output=True, text=True, timeout=30).stdout
    assert "nested\nok\n" in out
    assert "unshare(0x20000): Operation not permitted\nunshare=1" in out, out
    assert "mount: permission denied" in out and "mount=1" in out, out  # busybox's EPERM text
    assert not os.path.ismount(target)
