"""The container's mount list: docker's defaults, generated /etc files, user mounts, init.

A user mount on a default destination (``--tmpfs /dev/shm``) replaces the default. The
user mounts (binds, volumes, tmpfs) come from the container service's ``Volumes``
(``containers.volglue``); they and the /etc files are ordered by depth together so ``/a``
is mounted before ``/a/b`` (a volume on /etc does not hide the generated hosts file).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

DEFAULT_SHM = 64 << 20
INIT_PATH = "/sbin/docker-init"


def default_mounts(hc: dict[str, Any]) -> list[dict[str, Any]]:
    priv = bool(hc.get("Privileged"))
    shm = hc.get("ShmSize") or DEFAULT_SHM
    sys_ro = [] if priv else ["ro"]
    return [
        {"destination": "/proc", "type": "proc", "source": "proc",
         "options": ["nosuid", "noexec", "nodev"]},
        {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
         "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
        {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
         "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
        {"destination": "/sys", "type": "sysfs", "source": "sysfs",
         "options": ["nosuid", "noexec", "nodev", *sys_ro]},
        {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
         "options": ["nosuid", "noexec", "nodev", "relatime", *sys_ro]},
        {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
         "options": ["nosuid", "noexec", "nodev"]},
        {"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
         "options": ["nosuid", "noexec", "nodev", "mode=1777", f"size={shm // 1024}k"]},
    ]


def etc_mounts(paths: dict[str, str], readonly: bool) -> list[dict[str, Any]]:
    """Bind mounts of the generated resolv.conf, hostname and hosts (read-only with
    ``--read-only``, as docker does)."""
    opts = ["rbind", "rprivate", *(["ro"] if readonly else [])]
    return [{"destination": dst, "type": "bind", "source": src, "options": list(opts)}
            for dst, src in paths.items()]


def assemble(hc: dict[str, Any], etc: dict[str, str], init: str | None,
             users: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """The full list: defaults not overridden, /etc files, user mounts, then tini."""
    users = users or []
    taken = {os.path.normpath(m["destination"]) for m in users}
    out = [m for m in default_mounts(hc) if m["destination"] not in taken]
    etcs = [m for m in etc_mounts(etc, bool(hc.get("ReadonlyRootfs")))
            if m["destination"] not in taken]
    # one depth order for both, as moby sorts them: a volume on /etc goes below /etc/hosts
    out += sorted(etcs + users, key=lambda m: len(Path(m["destination"]).parts))
    if init:
        out.append({"destination": INIT_PATH, "type": "bind", "source": init,
                    "options": ["rbind", "ro", "rprivate"]})
    return out
