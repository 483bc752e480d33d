"""Turn the init (or an exec'd process) into the configured ``process`` before execve.

Order matters and follows runc: rlimits and oom score while still root; bounding set
while CAP_SETPCAP is held; groups, gid, uid with keepcaps; then the final capability
sets; no_new_privs; the seccomp filter last (or first, before the uid switch, when the
process may gain privileges and so cannot load it unprivileged later).
"""

from __future__ import annotations

import os
import resource

from berth.errdefs import FailedPrecondition, InvalidArgument, NotImplementedYet
from berth.runtime import capabilities
from berth.sys import caps, prctl

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def set_rlimits(rlimits: list[dict[str, Any]] | None) -> None:
    """setrlimit each entry; never above the inherited hard limit (no CAP_SYS_RESOURCE)."""
    for i, rl in enumerate(rlimits or ()):
        name = rl["type"]
        num = getattr(resource, name, None)
        if not name.startswith("RLIMIT_") or num is None:
            raise InvalidArgument(f"process.rlimits[{i}].type: unknown rlimit {name!r}")
        soft, hard = _lim(rl["soft"]), _lim(rl["hard"])
        try:
            resource.setrlimit(num, (soft, hard))
        except (ValueError, PermissionError) as e:
            cur = resource.getrlimit(num)
            raise FailedPrecondition(
                f"process.rlimits[{i}]: cannot set {name} to soft={rl['soft']} hard={rl['hard']}:"
                f" the runtime inherited hard={_fmt(cur[1])} and raising a hard limit needs"
                f" CAP_SYS_RESOURCE ({e})") from None


def _lim(v: int) -> int:
    return resource.RLIM_INFINITY if v < 0 or v >= 2**64 - 1 else v


def _fmt(v: int) -> str:
    return "unlimited" if v == resource.RLIM_INFINITY else str(v)


def set_oom_score_adj(value: int | None) -> None:
    if value is None:
        return
    try:
        with open("/proc/self/oom_score_adj", "w") as f:
            f.write(str(value))
    except PermissionError:
        raise FailedPrecondition(
            f"process.oomScoreAdj: cannot set {value}: lowering the OOM score needs"
            " CAP_SYS_RESOURCE, which the runtime does not have") from None


def check_lsm(proc: dict[str, Any]) -> None:
    """AppArmor/SELinux: apply where the host supports them, refuse clearly where not."""
    profile = proc.get("apparmorProfile")
    if profile:
        if not os.path.exists("/sys/kernel/security/apparmor"):
            raise NotImplementedYet(f"process.apparmorProfile {profile!r}: AppArmor is not"
                                    " enabled on this host")
        with open("/proc/self/attr/apparmor/exec", "w") as f:
            f.write(f"exec {profile}")
    label = proc.get("selinuxLabel")
    if label:
        if not os.path.exists("/sys/fs/selinux/enforce"):
            raise NotImplementedYet(f"process.selinuxLabel {label!r}: SELinux is not enabled"
                                    " on this host")
        with open("/proc/self/attr/exec", "w") as f:
            f.write(label)


def switch_user(user: dict[str, Any], sets: dict[str, int], last: int) -> None:
    """Drop the bounding set, become uid/gid with groups, then set the final caps."""
    uid, gid = user.get("uid", 0), user.get("gid", 0)
    capabilities.drop_bounding(sets, last)
    prctl.set_keepcaps(True)
    try:
        os.setgroups(list(user.get("additionalGids") or ()))
    except PermissionError:
        if user.get("additionalGids"):
            raise
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    prctl.set_keepcaps(False)
    capabilities.apply(sets, last)
    if user.get("umask") is not None:
        os.umask(user["umask"])
    else:
        os.umask(0o022)


def finalize(proc: dict[str, Any], seccomp: dict[str, Any] | None, field: str = "process",
             bpf: bytes | None = None) -> None:
    """Everything from rlimits to the seccomp filter (the caller then chdirs and execs).
    ``bpf``: ``seccomp`` already compiled (by the parent, before the fork)."""
    set_rlimits(proc.get("rlimits"))
    set_oom_score_adj(proc.get("oomScoreAdj"))
    check_lsm(proc)
    last = caps.last_cap()
    sets = capabilities.masks(proc.get("capabilities"), f"{field}.capabilities", last)
    nnp = bool(proc.get("noNewPrivileges"))
    if not seccomp:
        bpf = None
    elif bpf is None:
        bpf = _compile(seccomp)
    if bpf is not None and not nnp:
        _load(bpf, seccomp)
    switch_user(proc.get("user") or {}, sets, last)
    if nnp:
        prctl.set_no_new_privs()
    if bpf is not None and nnp:
        _load(bpf, seccomp)


def _compile(seccomp: dict[str, Any]) -> bytes:
    from berth.runtime import seccomp as _seccomp
    return _seccomp.compile_filter(seccomp)


def _load(bpf: bytes, seccomp: dict[str, Any] | None) -> None:
    from berth.runtime import seccomp as _seccomp
    _seccomp.load_filter(bpf, list((seccomp or {}).get("flags") or ()))
