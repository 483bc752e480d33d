"""A description of the machine and the engine versions, recorded beside every result."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from pathlib import Path

from bench.engines.berthd import BIN

VERSION_COMMANDS = {
    "docker (CLI)": ["docker", "--version"],
    "dockerd": ["dockerd", "--version"],
    "containerd": ["containerd", "--version"],
    "podman": ["podman", "--version"],
    "runc": ["runc", "--version"],
    "crun": ["crun", "--version"],
    "skopeo": ["skopeo", "--version"],
    "tar": ["tar", "--version"],
    "berth": [str(BIN / "python"), "-c", "import berth; print(berth.__version__)"],
}


def _first_line(cmd: list[str]) -> str:
    if not shutil.which(cmd[0]):
        return "not installed"
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"unknown ({e})"
    lines = (p.stdout or p.stderr).strip().splitlines()
    return lines[0].strip() if lines and p.returncode == 0 else "unknown"


def _mem_total() -> str:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    return "unknown"


def _cgroups() -> str:
    unified = Path("/sys/fs/cgroup/unified/cgroup.controllers")
    if Path("/sys/fs/cgroup/cgroup.controllers").exists():
        return "v2"
    held = unified.read_text().strip() if unified.exists() else ""
    return f"v1 hybrid (cgroup2 holds: {held or 'nothing'})" if unified.exists() else "v1"


def describe() -> dict[str, object]:
    """nproc, memory, kernel, OS, cgroup mode and every engine's version."""
    os_name = "unknown"
    if Path("/etc/os-release").exists():
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = line.split("=", 1)[1].strip('"')
    return {
        "nproc": os.cpu_count(),
        "memory": _mem_total(),
        "kernel": platform.release(),
        "os": os_name,
        "python": platform.python_version(),
        "cgroups": _cgroups(),
        "loadavg": " ".join(Path("/proc/loadavg").read_text().split()[:3]),
        "versions": {name: _first_line(cmd) for name, cmd in VERSION_COMMANDS.items()},
    }
