"""A container as the runtime sees it between verbs: its state file plus live checks.

Status is derived, as runc derives it: ``stopped`` when the init (same pid *and* start
time) is gone or a zombie; ``created`` while the exec fifo exists; ``paused`` when the
cgroup is frozen; else ``running``. Guards (``require``) name the container and state.
"""

from __future__ import annotations

import os
import select
import time

from berth.errdefs import FailedPrecondition
from berth.runtime.state import StateStore

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

PUBLIC = ("ociVersion", "id", "pid", "status", "bundle", "rootfs", "created", "owner",
          "annotations")


def proc_start_time(pid: int) -> tuple[str, int] | None:
    """(state letter, start time in ticks) of ``pid``, or None if it does not exist."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            raw = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = raw[raw.rindex(b")") + 2:].split()
    return fields[0].decode(), int(fields[19])


class Container:
    """Loaded state of one container id."""

    def __init__(self, store: StateStore, cid: str) -> None:
        self.store, self.id = store, cid
        self.state: dict[str, Any] = store.load(cid)
        self.dir: str = store.dir(cid)

    @property
    def pid(self) -> int:
        return int(self.state["pid"])

    @property
    def config(self) -> dict[str, Any]:
        return self.state["config"]

    def alive(self) -> bool:
        st = proc_start_time(self.pid)
        return st is not None and st[0] not in ("Z", "X") and st[1] == self.state["initStart"]

    def status(self) -> str:
        if not self.alive():
            return "stopped"
        if os.path.exists(os.path.join(self.dir, "exec.fifo")):
            return "created"
        if self.state.get("cgroupPaths"):
            cg = self.cgroup()
            if cg is not None and cg.frozen():
                return "paused"
        return "running"

    def cgroup(self) -> Any:
        """The cgroup manager reopened from the recorded paths (None if there were none)."""
        paths = self.state.get("cgroupPaths")
        if not paths:
            return None
        from berth.runtime.cgroups import from_paths
        return from_paths(paths)

    def require(self, verb: str, *allowed: str) -> str:
        status = self.status()
        if status not in allowed:
            raise FailedPrecondition(f"container {self.id}: cannot {verb} a container in state"
                                     f" {status}")
        return status

    def public_state(self) -> dict[str, Any]:
        """The runtime-spec state object (plus runc's rootfs/created/owner)."""
        out = {k: self.state.get(k) for k in PUBLIC if k != "status"}
        out["status"] = self.status()
        if out["status"] == "stopped":
            out["pid"] = 0
        if not out.get("annotations"):
            out.pop("annotations")
        return {k: out[k] for k in PUBLIC if k in out}

    def save(self) -> None:
        self.store.save(self.id, self.state)

    def wait_gone(self, timeout: float = 10.0) -> bool:
        """Until the init has exited (pidfd), or ``timeout``; True if it is gone."""
        return wait_pid_gone(self.pid, timeout) or not self.alive()


def wait_pid_gone(pid: int, timeout: float) -> bool:
    """Poll a pidfd: works for processes that are not our children."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        deadline = time.monotonic() + timeout
        p = select.poll()
        p.register(fd, select.POLLIN)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            if p.poll(int(left * 1000) + 1):
                return True
    finally:
        os.close(fd)
