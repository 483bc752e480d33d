"""``events``: runc's event stream for one container, driven by the kernel, not by polling.

Waits in one ``poll`` on the cgroup's OOM watcher (v1: an eventfd registered on
``memory.oom_control``; v2: ``memory.events`` with POLLPRI) and a pidfd of the init.
Each OOM kill is written as ``{"type":"oom","id":…}`` (runc's shape) as soon as the kernel
signals it; a ``stats`` record goes out every ``interval``; the stream ends when the init
exits (after a last OOM check, so a kill that ended the container is still reported).
"""

from __future__ import annotations

import json
import os
import select

from berth.errdefs import FailedPrecondition
from berth.runtime.container import Container
from berth.runtime.ops import stats
from berth.runtime.state import StateStore

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


def stream(root: str, cid: str, interval: float,
           emit: Callable[[dict[str, Any]], None]) -> None:
    """Emit events for ``cid`` until its init exits."""
    c = Container(StateStore(root), cid)
    if c.status() == "stopped":
        raise FailedPrecondition(f"container {cid}: container is not running")
    cg = c.cgroup()
    watcher = _watcher(cg)
    try:
        pidfd = os.pidfd_open(c.pid)
    except ProcessLookupError:
        pidfd = -1
    try:
        _loop(root, cid, cg, watcher, pidfd, interval, emit)
    finally:
        if pidfd != -1:
            os.close(pidfd)
        if watcher is not None:
            watcher.close()


def _watcher(cg: Any) -> Any:
    """The OOM watcher, or None where there is no memory controller to watch."""
    if cg is None:
        return None
    try:
        return cg.oom_watcher()
    except (OSError, FailedPrecondition):
        return None


def _loop(root: str, cid: str, cg: Any, watcher: Any, pidfd: int, interval: float,
          emit: Callable[[dict[str, Any]], None]) -> None:
    p = select.poll()
    if watcher is not None:
        p.register(watcher.fileno(), watcher.poll_mask)
    if pidfd != -1:
        p.register(pidfd, select.POLLIN)
    seen = cg.oom_kill_count() if watcher is not None else 0
    while pidfd != -1:
        ready = dict(p.poll(int(interval * 1000)))
        if watcher is not None and (watcher.fileno() in ready or pidfd in ready):
            seen = _report_ooms(cid, watcher, seen, emit)
        if pidfd in ready:
            return
        if not ready:
            emit(stats(root, cid))


def _report_ooms(cid: str, watcher: Any, seen: int,
                 emit: Callable[[dict[str, Any]], None]) -> int:
    """One ``oom`` event per kill the counter shows since ``seen``; the new count."""
    watcher.wait(0)  # drain the notification so the next poll waits for a new one
    try:
        now = watcher.kills()
    except OSError:
        return seen
    for _ in range(now - seen):
        emit({"type": "oom", "id": cid})
    return max(now, seen)


def print_event(event: dict[str, Any]) -> None:
    """One JSON object per line, flushed (engines read the stream as it comes)."""
    print(json.dumps(event), flush=True)
