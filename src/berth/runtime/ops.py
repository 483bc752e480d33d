"""The small verbs: state, list, kill, delete, pause, resume, update, ps.

Each follows youki's four steps: load the container, refresh its status, check the
guard, act (and persist when the state record changes).
"""

from __future__ import annotations

import os

from berth.errdefs import FailedPrecondition
from berth.runtime import hooks
from berth.runtime.container import Container
from berth.runtime.signals import SIGKILL, SIGTERM
from berth.runtime.state import StateStore, UnreadableState

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from berth.runtime.state import StrPath


def state(root: StrPath, cid: str) -> dict[str, Any]:
    """The runtime-spec state of ``cid``."""
    return Container(StateStore(root), cid).public_state()


def list_states(root: StrPath) -> list[dict[str, Any]]:
    store = StateStore(root)
    out = []
    for cid in store.ids():
        try:
            out.append(Container(store, cid).public_state())
        except (OSError, ValueError, KeyError, UnreadableState):
            continue
    return out


def kill(root: StrPath, cid: str, sig: int = SIGTERM, *, all_procs: bool = False) -> None:
    """Signal the init (or, with ``all_procs``, every process in the cgroup)."""
    c = Container(StateStore(root), cid)
    status = c.status()
    if status == "stopped":
        raise FailedPrecondition(f"container {cid}: container not running")
    if all_procs:
        _kill_all(c, sig)
        return
    try:
        os.kill(c.pid, sig)
    except ProcessLookupError:
        raise FailedPrecondition(f"container {cid}: container not running") from None


def _kill_all(c: Container, sig: int) -> None:
    cg = c.cgroup()
    if cg is None:
        os.kill(c.pid, sig)
        return
    if sig == SIGKILL:
        cg.freeze()
    try:
        for pid in cg.pids():
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
    finally:
        if sig == SIGKILL:
            cg.thaw()


def delete(root: StrPath, cid: str, *, force: bool = False) -> None:
    """Remove a stopped (or created) container; ``force`` kills a running one first."""
    store = StateStore(root)
    try:
        c = Container(store, cid)
    except UnreadableState:
        store.remove(cid)
        return
    status = c.status()
    if status in ("running", "paused") and not force:
        raise FailedPrecondition(f"cannot delete container {cid} that is not stopped: {status}")
    if status != "stopped":
        _kill_all(c, SIGKILL)
        if not c.wait_gone(10.0):
            raise FailedPrecondition(f"container {cid}: init {c.pid} did not die after SIGKILL")
    cg = c.cgroup()
    if cg is not None and cg.exists():
        cg.destroy()
    try:
        if hooks.hooks_of(c.config, "poststop"):
            hooks.run_hooks(c.config, "poststop", dict(c.public_state(), status="stopped"))
    finally:
        store.remove(cid)


def pause(root: StrPath, cid: str) -> None:
    c = Container(StateStore(root), cid)
    c.require("pause", "running", "created")
    _cgroup(c).freeze()


def resume(root: StrPath, cid: str) -> None:
    c = Container(StateStore(root), cid)
    c.require("resume", "paused")
    _cgroup(c).thaw()


def update(root: StrPath, cid: str, resources: dict[str, Any]) -> None:
    """Apply new ``linux.resources`` and remember them in the state."""
    c = Container(StateStore(root), cid)
    c.require("update", "created", "running", "paused")
    _cgroup(c).set(resources)
    linux = c.config.setdefault("linux", {})
    merged = linux.setdefault("resources", {})
    for key, value in resources.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key].update(value)
        else:
            merged[key] = value
    c.save()


def pids(root: StrPath, cid: str) -> list[int]:
    c = Container(StateStore(root), cid)
    if c.status() == "stopped":
        return []
    cg = c.cgroup()
    return sorted(cg.pids()) if cg is not None else [c.pid]


def stats(root: StrPath, cid: str) -> dict[str, Any]:
    """One ``events --stats`` record, runc-shaped: type, id, data."""
    c = Container(StateStore(root), cid)
    c.require("get stats of", "created", "running", "paused")
    return {"type": "stats", "id": cid, "data": _cgroup(c).stats()}


def _cgroup(c: Container) -> Any:
    cg = c.cgroup()
    if cg is None:
        raise FailedPrecondition(f"container {c.id}: has no cgroup")
    return cg
