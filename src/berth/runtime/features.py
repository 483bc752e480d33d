"""``features``: what this runtime supports, in runc's JSON shape (runtime-spec features)."""

from __future__ import annotations

import os

from berth.oci.runtime import HOOK_NAMES, OCI_VERSION
from berth.runtime import mountopts
from berth.sys import caps, ns

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

VERSION = "0.1.0"
SECCOMP_ACTIONS = ["SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL",
                   "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG",
                   "SCMP_ACT_TRACE", "SCMP_ACT_TRAP"]
SECCOMP_OPS = ["SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE", "SCMP_CMP_LT",
               "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE"]


def features() -> dict[str, Any]:
    return {
        "ociVersionMin": "1.0.0",
        "ociVersionMax": OCI_VERSION,
        "hooks": list(HOOK_NAMES),
        "mountOptions": mountopts.all_options(),
        "linux": {
            "namespaces": sorted(ns.NAMESPACES),
            "capabilities": list(caps.CAP_NAMES[: caps.last_cap() + 1]),
            "cgroup": {"v1": True, "v2": True, "systemd": False, "systemdUser": False},
            "seccomp": {"enabled": True, "actions": SECCOMP_ACTIONS, "operators": SECCOMP_OPS,
                        "archs": ["SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32",
                                  "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"]},
            "apparmor": {"enabled": os.path.exists("/sys/kernel/security/apparmor")},
            "selinux": {"enabled": os.path.exists("/sys/fs/selinux/enforce")},
            "intelRdt": {"enabled": False},
            "mountExtensions": {"idmap": {"enabled": True}},
        },
        "annotations": {"org.opencontainers.runc.version": VERSION,
                        "io.berth.runtime.version": VERSION},
    }
