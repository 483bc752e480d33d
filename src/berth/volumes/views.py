"""Volumes in the Engine API's ``Volume`` shape, and the size walk ``system df`` needs.

Field order is the Go struct's (``CreatedAt, Driver, Labels, Mountpoint, Name, Options,
Scope``, then ``Status`` and ``UsageData`` when set) and maps have sorted keys, as Go's
encoder writes them, so ``volume inspect`` through the daemon's bytes matches docker.
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any

from .store import VolumeRecord


def rfc3339(ts: float) -> str:
    """Go's ``time.Unix(ts).Format(time.RFC3339)`` in local time."""
    text = datetime.fromtimestamp(int(ts)).astimezone().isoformat(timespec="seconds")
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _sorted(m: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if m is None else {k: m[k] for k in sorted(m)}


def volume_view(rec: VolumeRecord, mountpoint: str, *, created: str | None = None,
                status: dict[str, Any] | None = None,
                usage: dict[str, int] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "CreatedAt": created or rfc3339(rec.created),
        "Driver": rec.driver,
        "Labels": _sorted(rec.labels),
        "Mountpoint": mountpoint,
        "Name": rec.name,
        "Options": _sorted(rec.options),
        "Scope": rec.scope,
    }
    if status:
        out["Status"] = _sorted(status)
    if usage is not None:
        out["UsageData"] = usage
    return out


def dir_size(path: str) -> int:
    """docker's directory.Size: apparent sizes of everything but directories, each
    hard-linked inode once, symlinks not followed; -1 if the walk fails at the top."""
    seen: set[tuple[int, int]] = set()
    total = 0
    stack = [path]
    try:
        os.lstat(path)
    except OSError:
        return -1
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for e in entries:
            try:
                st = e.stat(follow_symlinks=False)
            except OSError:
                continue
            if e.is_dir(follow_symlinks=False):
                stack.append(e.path)
            elif st.st_size and (st.st_dev, st.st_ino) not in seen:
                seen.add((st.st_dev, st.st_ino))
                total += st.st_size
    return total
