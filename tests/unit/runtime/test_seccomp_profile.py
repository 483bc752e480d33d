"""Seccomp profile validation, compilation, caching and the default profile (no root needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from berth.errdefs import InvalidArgument, NotImplementedYet
from berth.runtime import seccomp
from berth.runtime.seccomp_default import default_profile

DOCKER_CAPS = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
               "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
               "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"]


def _p(**over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
        {"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"}]}
    base.update(over)
    return base


def _entry(**e: Any) -> dict[str, Any]:
    return _p(syscalls=[{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", **e}])


@pytest.mark.parametrize(("profile", "exc", "match"), [
    (_p(defaultAction="SCMP_ACT_NOPE"), InvalidArgument, "defaultAction: unknown action"),
    (_p(defaultAction="SCMP_ACT_NOTIFY"), NotImplementedYet, "SCMP_ACT_NOTIFY"),
    (_p(listenerPath="/run/x.sock"), NotImplementedYet, "listenerPath"),
    (_entry(action="SCMP_ACT_FOO"), InvalidArgument, r"syscalls\[0\].action"),
    (_entry(args=[{"index": 6, "value": 1, "op": "SCMP_CMP_EQ"}]), InvalidArgument,
     r"syscalls\[0\].args\[0\].index"),
    (_entry(args=[{"index": 0, "value": 1, "op": "SCMP_CMP_LIKE"}]), InvalidArgument,
     r"args\[0\].op: unknown operator"),
    (_entry(args=[{"index": 0, "value": -1, "op": "SCMP_CMP_EQ"}]), InvalidArgument,
     r"args\[0\].value"),
    (_p(syscalls=[{"names": ["mkdir"], "action": "SCMP_ACT_ALLOW", "errnoRet": 5}]),
     InvalidArgument, "errnoRet is only valid"),
    (_entry(errnoRet=70000), InvalidArgument, "errnoRet 70000"),
    (_p(syscalls=[{"names": [], "action": "SCMP_ACT_ERRNO"}]), InvalidArgument,
     r"syscalls\[0\].names"),
    (_p(architectures=["SCMP_ARCH_Z80"]), InvalidArgument, r"architectures\[0\].*unknown"),
    (_p(architectures=["x86_64"]), InvalidArgument, "SCMP_ARCH_"),
    (_p(flags=["SECCOMP_FILTER_FLAG_BOGUS"]), InvalidArgument, r"flags\[0\]"),
    (_p(syscalls={"names": ["x"]}), InvalidArgument, "syscalls: must be a list"),
])
def test_bad_profiles_name_the_entry(profile: dict[str, Any], exc: type, match: str) -> None:
    with pytest.raises(exc, match=match):
        seccomp.compile_filter(profile)


def test_compiles_to_sock_filter_array_and_skips_unknown_names() -> None:
    bpf = seccomp.compile_filter(_p(
        architectures=["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
        syscalls=[{"names": ["mkdir", "no_such_syscall_xyz"], "action": "SCMP_ACT_ERRNO",
                   "errnoRet": 38},
                  {"names": ["personality"], "action": "SCMP_ACT_ERRNO", "args": [
                      {"index": 0, "value": 1, "op": "SCMP_CMP_EQ"},
                      {"index": 0, "value": 2, "op": "SCMP_CMP_EQ"}]},
                  {"names": ["getpid"], "action": "SCMP_ACT_ALLOW"}]))
    assert bpf and len(bpf) % 8 == 0


def test_same_profile_is_compiled_once(tmp_path: Path) -> None:
    profile = _entry(errnoRet=13)
    first = seccomp.compile_filter(profile, cache_dir=tmp_path)
    again = seccomp.compile_filter(dict(reversed(list(profile.items()))), cache_dir=tmp_path)
    assert again is first
    files = list(tmp_path.glob("*.bpf"))
    assert len(files) == 1 and files[0].read_bytes() == first
    seccomp._cache.clear()  # a fresh process reads the disk cache instead of recompiling
    marker = first + b"\x06\x00\x00\x00\x00\x00\xff\x7f"  # one more instruction
    files[0].write_bytes(marker)
    assert seccomp.compile_filter(profile, cache_dir=tmp_path) == marker
    assert seccomp.compile_filter(_entry(errnoRet=14)) != first


def test_default_profile_gates_by_capability_and_arch() -> None:
    p = default_profile(DOCKER_CAPS, machine="x86_64", kernel_release="6.18.0")
    names = {n for r in p["syscalls"] if not r.get("args") and r["action"] == "SCMP_ACT_ALLOW"
             for n in r["names"]}
    assert p["defaultAction"] == "SCMP_ACT_ERRNO" and p["defaultErrnoRet"] == 1
    assert p["architectures"] == ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]
    assert len(p["syscalls"][0]["names"]) == 361
    assert {"chroot", "arch_prctl", "ptrace", "read"} <= names
    assert not {"mount", "unshare", "setns", "reboot", "bpf", "cacheflush"} & names
    clone3 = [r for r in p["syscalls"] if r["names"] == ["clone3"]]
    assert clone3 == [{"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}]
    admin = default_profile([*DOCKER_CAPS, "SYS_ADMIN"], machine="x86_64")
    admin_names = {n for r in admin["syscalls"] for n in r["names"]
                   if r["action"] == "SCMP_ACT_ALLOW" and not r.get("args")}
    assert {"mount", "unshare", "clone", "clone3"} <= admin_names
    assert not [r for r in admin["syscalls"] if r["action"] == "SCMP_ACT_ERRNO"]
    arm = default_profile(DOCKER_CAPS, machine="aarch64", kernel_release="4.4.0")
    arm_names = {n for r in arm["syscalls"] for n in r["names"]}
    assert {"cacheflush", "set_tls"} <= arm_names and "arch_prctl" not in arm_names
    assert "process_vm_readv" not in arm_names  # minKernel 4.8
    assert arm["architectures"] == ["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"]


def test_default_profile_compiles() -> None:
    bpf = seccomp.compile_filter(default_profile(DOCKER_CAPS))
    assert len(bpf) % 8 == 0 and len(bpf) > 1000
