"""The container's mount list: docker's defaults, generated /etc files, tmpfs, binds, init.

A user mount on a default destination (``--tmpfs /dev/shm``) replaces the default. User
mounts are ordered by depth so ``/a`` is mounted before ``/a/b``. ``Binds`` here is the
basic ``/host:/ctr[:opts]`` form; named volumes are the volumes issue's.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from berth.errdefs import InvalidArgument, NotImplementedYet

DEFAULT_SHM = 64 << 20
INIT_PATH = "/sbin/docker-init"
_PROPAGATION = {"shared", "rshared", "slave", "rslave", "private", "rprivate"}
_BIND_OPTS = {"ro", "rw", "z", "Z", "nocopy", *_PROPAGATION}


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


def parse_tmpfs(tmpfs: dict[str, str] | None) -> list[dict[str, Any]]:
    out = []
    for dst, opts in (tmpfs or {}).items():
        _check_dest(dst)
        options = ["noexec", "nosuid", "nodev"]
        for o in filter(None, (opts or "").split(",")):
            flip = {"exec": "noexec", "suid": "nosuid", "dev": "nodev"}.get(o)
            if flip in options:
                options.remove(flip)
            if o not in options:
                options.append(o)
        out.append({"destination": dst, "type": "tmpfs", "source": "tmpfs",
                    "options": options})
    return out


def parse_binds(binds: list[str] | None) -> list[dict[str, Any]]:
    """``/host:/ctr[:ro|rw|z|Z|<propagation>|nocopy]`` → OCI bind mounts."""
    out = []
    for spec in binds or []:
        parts = spec.split(":")
        if len(parts) < 2 or len(parts) > 3 or not parts[0] or not parts[1]:
            raise InvalidArgument(f"invalid volume specification: '{spec}'")
        src, dst = parts[0], parts[1]
        opts = parts[2].split(",") if len(parts) == 3 and parts[2] else []
        if any(o not in _BIND_OPTS for o in opts):
            raise InvalidArgument(f"invalid mode: {parts[2]}")
        if not src.startswith("/"):
            raise NotImplementedYet(f"named volume {src!r}: volumes are not supported yet "
                                    "(volumes issue); use an absolute host path")
        _check_dest(dst, spec)
        prop = next((o for o in opts if o in _PROPAGATION), "rprivate")
        options = ["rbind", prop, "ro" if "ro" in opts else "rw"]
        out.append({"destination": dst, "type": "bind", "source": src, "options": options})
    return out


def _check_dest(dst: str, spec: str | None = None) -> None:
    if not dst.startswith("/"):
        what = f"'{spec}'" if spec else f"'{dst}'"
        raise InvalidArgument(f"invalid mount config: mount path must be absolute: {what}")
    if os.path.normpath(dst) == "/":
        raise InvalidArgument("invalid specification: destination can't be '/'")


def user_mounts(hc: dict[str, Any]) -> list[dict[str, Any]]:
    mounts = parse_binds(hc.get("Binds")) + parse_tmpfs(hc.get("Tmpfs"))
    seen: set[str] = set()
    for m in mounts:
        d = os.path.normpath(m["destination"])
        if d in seen:
            raise InvalidArgument(f"Duplicate mount point: {d}")
        seen.add(d)
    return sorted(mounts, key=lambda m: len(Path(m["destination"]).parts))


def make_bind_sources(mounts: list[dict[str, Any]]) -> None:
    """``-v /host:/ctr`` creates a missing host directory (as root), like docker."""
    for m in mounts:
        if m["type"] == "bind" and not os.path.lexists(m["source"]):
            os.makedirs(m["source"], 0o755, exist_ok=True)


def assemble(hc: dict[str, Any], etc: dict[str, str], init: str | None,
             users: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """The full list: defaults not overridden, /etc files, user mounts, then tini."""
    users = user_mounts(hc) if users is None else users
    taken = {os.path.normpath(m["destination"]) for m in users}
    out = [m for m in default_mounts(hc) if m["destination"] not in taken]
    out += [m for m in etc_mounts(etc, bool(hc.get("ReadonlyRootfs")))
            if m["destination"] not in taken]
    out += users
    if init:
        out.append({"destination": INIT_PATH, "type": "bind", "source": init,
                    "options": ["rbind", "ro", "rprivate"]})
    return out
