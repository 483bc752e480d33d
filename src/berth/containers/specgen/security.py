"""Capabilities, seccomp, no-new-privileges and masked/read-only paths, as docker sets them.

``SecurityOpt`` entries are ``key=value`` (``key:value`` is docker's old spelling) or the
bare ``no-new-privileges``. AppArmor is not built on the hosts berth targets and SELinux is
not enforcing: ``apparmor=`` and ``label=`` are recorded and otherwise ignored.
"""

from __future__ import annotations

import glob
import json
import os
from dataclasses import dataclass, field
from typing import Any

from berth.errdefs import InvalidArgument
from berth.sys.caps import CAP_NAMES

DEFAULT_CAPS = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
                "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
                "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"]
MASKED_PATHS = ["/proc/asound", "/proc/acpi", "/proc/interrupts", "/proc/kcore",
                "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
                "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
                "/sys/devices/virtual/powercap"]
READONLY_PATHS = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
KNOWN_OPTS = {"seccomp", "apparmor", "label", "no-new-privileges", "systempaths",
              "writable-cgroups"}


@dataclass
class SecurityOpts:
    seccomp: str = ""            # "" default, "unconfined", or a JSON profile
    apparmor: str = ""
    labels: list[str] = field(default_factory=list)
    no_new_privileges: bool = False
    unmask_paths: bool = False
    writable_cgroups: bool = False


def parse_security_opts(opts: list[str] | None) -> SecurityOpts:
    out = SecurityOpts()
    for i, opt in enumerate(opts or [], 1):
        if opt == "no-new-privileges":
            out.no_new_privileges = True
            continue
        key, sep, value = opt.partition("=")
        if not sep:
            key, sep, value = opt.partition(":")
        if not sep or key not in KNOWN_OPTS:
            raise InvalidArgument(f'invalid --security-opt {i}: "{opt}"')
        if key == "seccomp":
            out.seccomp = value
        elif key == "apparmor":
            out.apparmor = value
        elif key == "label":
            out.labels.append(value)
        elif key == "systempaths":
            if value != "unconfined":
                raise InvalidArgument(f'invalid --security-opt {i}: "{opt}"')
            out.unmask_paths = True
        else:
            out.__setattr__(key.replace("-", "_"), _bool(value, opt))
    return out


def _bool(value: str, opt: str) -> bool:
    if value.lower() in ("1", "t", "true"):
        return True
    if value.lower() in ("0", "f", "false"):
        return False
    raise InvalidArgument(f"invalid --security-opt: {opt!r}: parsing {value!r}: invalid syntax")


def _norm_cap(name: str) -> str:
    up = name.upper()
    if up == "ALL":
        return up
    full = up if up.startswith("CAP_") else "CAP_" + up
    if full not in CAP_NAMES:
        raise InvalidArgument(f'unknown capability: "{full}"')
    return full


def capabilities(add: list[str] | None, drop: list[str] | None, privileged: bool) -> list[str]:
    """docker's default set + CapAdd - CapDrop, with ``ALL`` on either side."""
    adds = [_norm_cap(c) for c in add or []]
    drops = [_norm_cap(c) for c in drop or []]
    if privileged or "ALL" in adds:
        base = list(CAP_NAMES)
        return [c for c in base if c not in drops]
    if "ALL" in drops:
        return [c for c in CAP_NAMES if c in adds]
    caps = [c for c in DEFAULT_CAPS if c not in drops]
    caps += [c for c in adds if c not in caps]
    return caps


def process_caps(caps: list[str], uid: int) -> dict[str, list[str]]:
    """Root gets the set effective; other users keep it only in the bounding set (docker)."""
    live = list(caps) if uid == 0 else []
    return {"bounding": list(caps), "effective": live, "permitted": live}


def masked_paths(host_config: dict[str, Any], sec: SecurityOpts) -> tuple[list[str], list[str]]:
    """(masked, read-only) path lists; none for privileged or ``systempaths=unconfined``."""
    if host_config.get("Privileged") or sec.unmask_paths:
        return [], []
    masked = host_config.get("MaskedPaths")
    if masked is None:
        masked = MASKED_PATHS + sorted(glob.glob("/sys/devices/system/cpu/cpu*/thermal_throttle"))
    ro = host_config.get("ReadonlyPaths")
    return list(masked), list(READONLY_PATHS if ro is None else ro)


def seccomp(sec: SecurityOpts, privileged: bool, caps: list[str]) -> dict[str, Any] | None:
    """The OCI ``linux.seccomp`` object, or None when unconfined."""
    if privileged or sec.seccomp == "unconfined":
        return None
    if not sec.seccomp or sec.seccomp == "builtin":
        from berth.runtime.seccomp_default import default_profile
        return default_profile(caps)
    try:
        prof = json.loads(sec.seccomp)
    except ValueError as e:
        raise InvalidArgument(f"Decoding seccomp profile failed: {e}") from None
    if not isinstance(prof, dict):
        raise InvalidArgument("Decoding seccomp profile failed: not a JSON object")
    return docker_profile_to_oci(prof, caps)


_GOARCH = {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm", "ppc64le": "ppc64le",
           "s390x": "s390x", "riscv64": "riscv64", "i686": "386"}
_SCMP_ARCH = {"amd64": "SCMP_ARCH_X86_64", "arm64": "SCMP_ARCH_AARCH64",
              "arm": "SCMP_ARCH_ARM", "386": "SCMP_ARCH_X86", "ppc64le": "SCMP_ARCH_PPC64LE",
              "s390x": "SCMP_ARCH_S390X", "riscv64": "SCMP_ARCH_RISCV64"}


def docker_profile_to_oci(prof: dict[str, Any], caps: list[str]) -> dict[str, Any]:
    """A docker-format profile (``archMap``, ``includes``/``excludes``) → OCI seccomp."""
    arch = _GOARCH.get(os.uname().machine, os.uname().machine)
    out: dict[str, Any] = {"defaultAction": prof.get("defaultAction", "SCMP_ACT_ERRNO")}
    for k in ("defaultErrnoRet", "listenerPath", "listenerMetadata", "flags"):
        if k in prof:
            out[k] = prof[k]
    if prof.get("architectures"):
        out["architectures"] = prof["architectures"]
    elif prof.get("archMap"):
        want = _SCMP_ARCH.get(arch)
        for entry in prof["archMap"]:
            if entry.get("architecture") == want:
                out["architectures"] = [want, *entry.get("subArchitectures", [])]
    rules = []
    for rule in prof.get("syscalls") or []:
        if not _gate_ok(rule, caps, arch):
            continue
        names = rule.get("names") or ([rule["name"]] if rule.get("name") else [])
        r = {"names": names, "action": rule.get("action", "SCMP_ACT_ALLOW")}
        for k in ("args", "errnoRet"):
            if rule.get(k) is not None:
                r[k] = rule[k]
        rules.append(r)
    out["syscalls"] = rules
    return out


def _gate_ok(rule: dict[str, Any], caps: list[str], arch: str) -> bool:
    inc, exc = rule.get("includes") or {}, rule.get("excludes") or {}
    if inc.get("caps") and not set(inc["caps"]) <= set(caps):
        return False
    if inc.get("arches") and arch not in inc["arches"]:
        return False
    if exc.get("caps") and set(exc["caps"]) & set(caps):
        return False
    return not (exc.get("arches") and arch in exc["arches"])
