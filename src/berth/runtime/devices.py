"""Device nodes in the container's /dev: runc's defaults plus ``linux.devices``.

mknod is refused inside a user namespace; there the host's node is bind-mounted over
an empty file instead, as runc does.
"""

from __future__ import annotations

import os
import stat

from berth.runtime.paths import make_target, secure_join
from berth.sys import mount as m

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

DEFAULT_DEVICES: list[dict[str, Any]] = [
    {"path": "/dev/null", "type": "c", "major": 1, "minor": 3},
    {"path": "/dev/zero", "type": "c", "major": 1, "minor": 5},
    {"path": "/dev/full", "type": "c", "major": 1, "minor": 7},
    {"path": "/dev/random", "type": "c", "major": 1, "minor": 8},
    {"path": "/dev/urandom", "type": "c", "major": 1, "minor": 9},
    {"path": "/dev/tty", "type": "c", "major": 5, "minor": 0},
]
SYMLINKS = {"/dev/fd": "/proc/self/fd", "/dev/stdin": "/proc/self/fd/0",
            "/dev/stdout": "/proc/self/fd/1", "/dev/stderr": "/proc/self/fd/2",
            "/dev/ptmx": "pts/ptmx"}
#: cgroup rules runc always allows, so the default nodes can be made and opened
ALLOWED_RULES: list[dict[str, Any]] = [
    {"allow": True, "type": "c", "major": 1, "minor": m, "access": "rwm"} for m in (3, 5, 7, 8, 9)
] + [
    {"allow": True, "type": "c", "major": 5, "minor": 0, "access": "rwm"},
    {"allow": True, "type": "c", "major": 5, "minor": 1, "access": "rwm"},
    {"allow": True, "type": "c", "major": 5, "minor": 2, "access": "rwm"},
    {"allow": True, "type": "c", "major": 136, "access": "rwm"},
]
_KIND = {"c": stat.S_IFCHR, "u": stat.S_IFCHR, "b": stat.S_IFBLK, "p": stat.S_IFIFO}


def create_devices(rootfs: str, devices: list[dict[str, Any]], *, bind: bool,
                   defaults: bool) -> None:
    """Make every device node (defaults first, config overrides by path)."""
    wanted = {d["path"]: d for d in (DEFAULT_DEVICES if defaults else [])}
    wanted.update({d["path"]: d for d in devices})
    for dev in wanted.values():
        create_device(rootfs, dev, bind=bind)
    if defaults:
        for link, target in SYMLINKS.items():
            path = secure_join(rootfs, link)
            if not os.path.lexists(path):
                os.symlink(target, path)


def create_device(rootfs: str, dev: dict[str, Any], *, bind: bool) -> None:
    path = secure_join(rootfs, dev["path"])
    os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
    if bind:
        _bind_device(dev["path"], path)
        return
    if os.path.lexists(path):
        os.unlink(path)
    mode = dev.get("fileMode", 0o666) & 0o7777
    kind = _KIND[dev["type"]]
    rdev = os.makedev(dev.get("major", 0), dev.get("minor", 0)) if kind != stat.S_IFIFO else 0
    try:
        os.mknod(path, mode | kind, rdev)
    except PermissionError:
        _bind_device(dev["path"], path)
        return
    os.chmod(path, mode)
    os.chown(path, dev.get("uid", 0), dev.get("gid", 0))


def _bind_device(host: str, path: str) -> None:
    """Bind the host's node at ``host`` over an empty file at ``path``."""
    if not os.path.exists(host):
        raise OSError(2, f"device {host}: mknod refused (user namespace or device cgroup) and"
                      " the host has no such node to bind", host)
    make_target(path, is_dir=False)
    m.mount(host, path, None, m.MS_BIND)


def cgroup_rules(linux: dict[str, Any]) -> list[dict[str, Any]]:
    """``resources.devices`` plus allows for the default and configured nodes (as runc)."""
    rules = list((linux.get("resources") or {}).get("devices") or ())
    rules += ALLOWED_RULES
    for d in linux.get("devices") or ():
        if d["type"] in ("c", "b", "u"):
            rules.append({"allow": True, "type": "b" if d["type"] == "b" else "c",
                          "major": d.get("major"), "minor": d.get("minor"), "access": "rwm"})
    return rules
