"""A directory fd of a container's filesystem *as the container sees it*, for cp/commit.

Running (or paused): the init's ``/proc/<pid>/root``, which shows the container's own
mount namespace, so bind mounts, tmpfs and volumes are there as inside the container. The
pid comes from the runtime state; ``/proc/<pid>`` is opened first and its start time
checked against the recorded ``initStart`` *through that fd*, so a recycled pid can never
hand us another process's root. Not running: the snapshot is mounted on the container's
``rootfs`` directory for the duration (shared by concurrent users, counted) and unmounted
after unless the container started meanwhile. Callers resolve paths below the fd with
``berth.archive.open_dir_in_root`` (chroot-like), never as host paths.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from berth.errdefs import Conflict

from . import bundle

_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC
LIVE = ("running", "paused")


class RootAccess:
    """Per-service bookkeeping of temporary rootfs mounts (one count per container)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users: dict[str, int] = {}

    @contextlib.contextmanager
    def open(self, svc: Any, rec: dict[str, Any]) -> Iterator[int]:
        cid = rec["ID"]
        if rec["State"]["Status"] in LIVE:
            fd = proc_root(svc.runtime_root, cid)
            if fd is not None:
                try:
                    yield fd
                finally:
                    os.close(fd)
                return
        target: Path = svc.rootfs(cid)
        with self._lock:
            if rec["State"]["Status"] == "removing":
                raise Conflict(f"container {cid} is being removed")
            self._users[cid] = self._users.get(cid, 0) + 1
            bundle.mount_rootfs(svc.snapshotter, rec["SnapshotKey"], target)
        try:
            fd = os.open(target, _DIR)
            try:
                yield fd
            finally:
                os.close(fd)
        finally:
            with self._lock:
                self._users[cid] -= 1
                if not self._users[cid]:
                    del self._users[cid]
                    if rec["State"]["Status"] not in LIVE and cid not in svc._starting:
                        bundle.unmount(target)


def proc_root(runtime_root: Path, cid: str) -> int | None:
    """An fd of ``/proc/<init>/root`` of a live container, or None if the init is gone."""
    from berth.runtime.container import Container
    from berth.runtime.state import StateStore
    try:
        state = Container(StateStore(runtime_root), cid).state
        pid, start = int(state["pid"]), int(state["initStart"])
    except Exception:
        return None
    try:
        pfd = os.open(f"/proc/{pid}", _DIR)
    except OSError:
        return None
    try:
        with os.fdopen(os.open("stat", os.O_RDONLY | os.O_CLOEXEC, dir_fd=pfd), "rb") as f:
            raw = f.read()
        fields = raw[raw.rindex(b")") + 2:].split()
        if fields[0] in (b"Z", b"X") or int(fields[19]) != start:
            return None
        return os.open("root", _DIR, dir_fd=pfd)
    except OSError:
        return None
    finally:
        os.close(pfd)
