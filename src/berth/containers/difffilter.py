"""What ``docker diff`` and ``docker commit`` must not see: the runtime's mount points.

docker puts ``/etc/hosts``, ``/etc/hostname``, ``/etc/resolv.conf``, ``/dev``, ``/proc``,
``/sys`` and friends in an *init layer* between the image and the container's rw layer,
so a fresh container's diff is empty. berth has no init layer: the runtime creates the
bind-mount targets it needs in the container's upper dir (copying ``/etc`` up). These
paths are therefore dropped from changes and commits, and so is a directory reported
modified only because such a mount point was made in it.
"""

from __future__ import annotations

from typing import Any

INIT_PATHS = frozenset({
    "etc/hosts", "etc/hostname", "etc/resolv.conf", "etc/mtab", ".dockerenv",
    "dev", "proc", "sys",
})


def _init(path: str) -> bool:
    rel = path.lstrip("/")
    return any(rel == p or rel.startswith(p + "/") for p in INIT_PATHS)


def filter_changes(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop init paths, and "modified" parents whose only reported change was one."""
    dropped = [c["Path"] for c in changes if _init(c["Path"])]
    kept = [c for c in changes if not _init(c["Path"])]
    if not dropped:
        return kept
    paths = [c["Path"] for c in kept]

    def only_for_init(c: dict[str, Any]) -> bool:
        if c["Kind"] != 0:
            return False
        prefix = c["Path"].rstrip("/") + "/"
        return any(d.startswith(prefix) for d in dropped) and \
            not any(p.startswith(prefix) for p in paths)
    return [c for c in kept if not only_for_init(c)]
