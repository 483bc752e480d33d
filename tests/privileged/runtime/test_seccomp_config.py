"""linux.seccomp and process.noNewPrivileges from config.json, seen from inside busybox."""

from __future__ import annotations

from typing import Any

import pytest
from tests.privileged.runtime.conftest import Runtime

pytestmark = pytest.mark.root

SCRIPT = ("grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status; mkdir /tmp/made;"
          " echo mkdir=$?; touch /tmp/file && echo touch=ok")


def test_seccomp_rule_returns_configured_errno_with_no_new_privs(rt: Runtime) -> None:
    def edit(cfg: dict[str, Any]) -> None:
        cfg["process"]["noNewPrivileges"] = True
        cfg["linux"]["seccomp"] = {
            "defaultAction": "SCMP_ACT_ALLOW",
            "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
            "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO",
                          "errnoRet": 38}],
        }
    b = rt.edit(rt.bundle(["sh", "-c", f"({SCRIPT}) 2>&1"]), edit)
    out = rt.run([], bundle=b).stdout
    assert "Seccomp:\t2" in out and "NoNewPrivs:\t1" in out, out
    assert "Function not implemented" in out and "mkdir=1" in out, out  # errno 38, ENOSYS
    assert "touch=ok" in out, out  # everything else still allowed


def test_without_seccomp_or_nnp_the_status_says_so(rt: Runtime) -> None:
    def edit(cfg: dict[str, Any]) -> None:
        cfg["process"]["noNewPrivileges"] = False
    b = rt.edit(rt.bundle(["sh", "-c", f"({SCRIPT}) 2>&1"]), edit)
    out = rt.run([], bundle=b).stdout
    assert "Seccomp:\t0" in out and "NoNewPrivs:\t0" in out and "mkdir=0" in out, out
