"""Facts about the host for ``/info`` and ``/version``, read from /proc, /etc and /sys.

Each reader takes its root as an argument so tests can point it at a fake tree.
"""

from __future__ import annotations

import os
import platform
from pathlib import Path

GO_ARCH = {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm", "i686": "386",
           "ppc64le": "ppc64le", "s390x": "s390x", "riscv64": "riscv64"}


def go_arch(machine: str | None = None) -> str:
    """The architecture in Go's (and so Docker's) words."""
    m = machine or platform.machine()
    return GO_ARCH.get(m, m)


def os_release(root: Path = Path("/")) -> dict[str, str]:
    for rel in ("etc/os-release", "usr/lib/os-release"):
        path = root / rel
        if path.exists():
            out = {}
            for line in path.read_text().splitlines():
                key, sep, value = line.partition("=")
                if sep:
                    out[key.strip()] = value.strip().strip('"')
            return out
    return {}


def mem_total(proc: Path = Path("/proc")) -> int:
    for line in (proc / "meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) * 1024
    return 0


def cgroup_version(cgroup_root: Path = Path("/sys/fs/cgroup")) -> str:
    """"2" on a unified hierarchy, "1" on legacy or hybrid hosts (as dockerd reports)."""
    return "2" if (cgroup_root / "cgroup.controllers").exists() else "1"


def backing_fs(path: Path, proc: Path = Path("/proc")) -> str:
    """Filesystem type of the mount holding ``path`` (longest mount-point prefix)."""
    target = os.path.realpath(path)
    best, fstype = "", "unknown"
    for line in (proc / "mounts").read_text().splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        mnt = fields[1].replace("\\040", " ")
        inside = target == mnt or target.startswith(mnt.rstrip("/") + "/")
        if inside and len(mnt) >= len(best):
            best, fstype = mnt, fields[2]
    return fstype


def seccomp_supported(proc: Path = Path("/proc")) -> bool:
    try:
        return "Seccomp:" in (proc / "self/status").read_text()
    except OSError:
        return False


def fd_count(proc: Path = Path("/proc")) -> int:
    try:
        return len(os.listdir(proc / "self/fd"))
    except OSError:
        return 0
