"""Learning exits: one watcher task per running container awaits the monitor's ``wait``.

On exit: record State (ExitCode, OOMKilled, FinishedAt, Error), unmount the rootfs,
publish ``oom``/``die``, answer ``wait`` callers, then AutoRemove or the restart policy.
Restart policies follow docker's manager: ``always``, ``unless-stopped``, ``on-failure[:N]``;
never after a manual stop; back-off 100 ms doubling (max 1 min), reset once a run lasted
10 s. ``recover`` (daemon start) re-attaches watchers to live monitors and records the
exits that happened while berthd was down.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from berth._util.fsutil import sweep_trash
from berth.errdefs import BerthError
from berth.monitor import client as mclient

from ._base import ServiceBase, log
from .state import parse_time

BACKOFF_START, BACKOFF_MAX, RESET_AFTER = 0.1, 60.0, 10.0


class Exits(ServiceBase):
    _backoff: dict[str, float]
    _restart_tasks: dict[str, asyncio.Task[None]]

    def watch(self, cid: str) -> None:
        loop = self.bind_loop()
        old = self._watchers.get(cid)
        if old is not None and not old.done():
            return
        self._watchers[cid] = loop.create_task(self._watch(cid))

    async def _watch(self, cid: str) -> None:
        try:
            rep = await mclient.wait(self.sock(cid))
        except (OSError, BerthError):  # the monitor was exiting as we connected
            rep = await self._exit_from_files(cid)
        loop = self.bind_loop()
        rec = await loop.run_in_executor(None, self.record_exit, cid, rep)
        self._watchers.pop(cid, None)
        if rec is not None:
            await self.after_exit(rec)

    async def _exit_from_files(self, cid: str) -> dict[str, Any]:
        """The exit record a vanishing monitor leaves (exit.json), once it is gone."""
        state_dir, delay = self.state_dir(cid), 0.002
        deadline = time.monotonic() + 30
        while mclient.monitor_alive(state_dir) and time.monotonic() < deadline:
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.1)
        return mclient.read_exit(state_dir) or {
            "exit_code": 255, "oom_killed": False, "finished_at": "",
            "error": "the container's monitor exited without an exit status"}

    def record_exit(self, cid: str, rep: dict[str, Any]) -> dict[str, Any] | None:
        """Persist an exit (blocking: unmounts). None if the container is gone."""
        try:
            rec = self.store.get(cid)
        except Exception:
            return None
        self.release_start(rec)
        code, oom = int(rep.get("exit_code", 255)), bool(rep.get("oom_killed"))
        err = rep.get("error") or ""
        if rec["State"]["Status"] not in ("running", "paused", "created", "restarting"):
            return None
        # written without fsync; the fsync follows once the waiters have their answer
        # (off the wait's path). AutoRemove persists "removing" right after, so none: a
        # lost "exited" reads as "running", which recover() turns into exit + removal
        self.set_status(rec, "exited", durable=False, ExitCode=code, OOMKilled=oom,
                        Error=err, FinishedAt=rep.get("finished_at") or _now())
        if oom:
            self.publish("oom", rec)
        ran = parse_time(rec["State"]["FinishedAt"]) - parse_time(rec["State"]["StartedAt"])
        self.publish("die", rec, exitCode=str(code), execDuration=str(max(int(ran), 0)))
        self.resolve_waiters(self._exit_waiters, cid, wait_result(rec))
        if not rec["HostConfig"].get("AutoRemove"):
            self.store.sync(cid)
        return rec

    async def after_exit(self, rec: dict[str, Any]) -> None:
        loop = self.bind_loop()
        if rec["HostConfig"].get("AutoRemove"):
            with contextlib.suppress(Exception):
                await loop.run_in_executor(None, self._auto_remove, rec["ID"])
            return
        delay = self._restart_delay(rec)
        if delay is None:
            self._backoff.pop(rec["ID"], None)
            return
        self.set_status(rec, "restarting")
        self._restart_tasks[rec["ID"]] = loop.create_task(self._restart_later(rec, delay))

    def _auto_remove(self, cid: str) -> None:
        remove = self.remove
        remove(cid, force=True, volumes=True, link=False)

    def _restart_delay(self, rec: dict[str, Any]) -> float | None:
        policy = rec["HostConfig"].get("RestartPolicy") or {}
        name, limit = policy.get("Name") or "no", policy.get("MaximumRetryCount") or 0
        st = rec["State"]
        if rec.get("HasBeenManuallyStopped") or name == "no":
            return None
        if name == "on-failure" and (st["ExitCode"] == 0 or (limit and
                                                              rec["RestartCount"] >= limit)):
            return None
        ran = parse_time(st["FinishedAt"]) - parse_time(st["StartedAt"])
        prev = self._backoff.get(rec["ID"])
        delay = BACKOFF_START if prev is None or ran >= RESET_AFTER else min(prev * 2,
                                                                              BACKOFF_MAX)
        self._backoff[rec["ID"]] = delay
        return delay

    async def _restart_later(self, rec: dict[str, Any], delay: float) -> None:
        cid = rec["ID"]
        try:
            await asyncio.sleep(delay)
            with self.store.lock:
                if rec["State"]["Status"] != "restarting":
                    return
                rec["RestartCount"] += 1
                self.store.save(rec)
            start = self.start
            await start(cid, restarting=True)
        except asyncio.CancelledError:
            raise
        except Exception as e:
            log.warning("restarting %s failed: %s", cid[:12], e)
            with contextlib.suppress(Exception):
                if rec["State"]["Status"] == "restarting":
                    self.set_status(rec, "exited", Error=str(e))
        finally:
            self._restart_tasks.pop(cid, None)

    def cancel_restart(self, rec: dict[str, Any]) -> bool:
        """Stop a pending policy restart (``stop``/``rm`` on a restarting container)."""
        task = self._restart_tasks.pop(rec["ID"], None)
        if task is not None:
            self.on_loop(task.cancel)
        if rec["State"]["Status"] == "restarting":
            self.set_status(rec, "exited")
            return True
        return False

    async def recover(self) -> None:
        """Daemon start: re-attach to live monitors, record exits that happened meanwhile."""
        loop = self.bind_loop()
        snapshots = await loop.run_in_executor(None, self._sweep_orphans)
        # a start berthd died in (kill -9 after the spawn, before the running record):
        # the record says created while a monitor lives; True if its init runs already
        interrupted = {r["ID"]: self._released(r["ID"]) for r in self.store
                       if r["State"]["Status"] == "created"
                       and mclient.monitor_alive(self.state_dir(r["ID"]))}
        live = [r["ID"] for r in self.store if r["State"]["Status"] in ("running", "paused")
                and mclient.monitor_alive(self.state_dir(r["ID"]))]
        live += [cid for cid, running in interrupted.items() if running]
        await loop.run_in_executor(None, self.networks.recover, live)
        for rec in list(self.store):
            st, cid = rec["State"]["Status"], rec["ID"]
            if st in ("running", "paused"):
                if mclient.monitor_alive(self.state_dir(cid)):
                    self.watch(cid)
                    continue
                rep = mclient.read_exit(self.state_dir(cid)) or {
                    "exit_code": 255, "oom_killed": False, "finished_at": "",
                    "error": "the container's monitor exited without an exit status"}
                done = await loop.run_in_executor(None, self.record_exit, cid, rep)
                if done is not None:
                    await self.after_exit(done)
            elif cid in interrupted:
                await self._finish_interrupted_start(rec, interrupted[cid])
            elif st == "restarting":
                self._restart_tasks[cid] = loop.create_task(self._restart_later(rec, 0))
            elif st == "removing" or rec["SnapshotKey"] not in snapshots:
                # a record without its snapshot is a removal a power loss interrupted
                # (removal syncs nothing before the record is gone: service.remove)
                with contextlib.suppress(Exception):
                    await loop.run_in_executor(None, self._auto_remove, cid)
            else:
                await loop.run_in_executor(None, self.release_start, rec)
                if st == "exited" and restart_on_boot(rec):
                    self._restart_tasks[cid] = loop.create_task(self._boot_start(cid))

    def _released(self, cid: str) -> bool:
        """Whether the container's init has been let go (the runtime's exec fifo, which
        exists exactly while the init waits for its start, is gone)."""
        return not (self.runtime_root / cid / "exec.fifo").exists()

    async def _finish_interrupted_start(self, rec: dict[str, Any], running: bool) -> None:
        """A running init (its monitor's set-up started it) is adopted: the record says
        running, with the init's pid from the runtime's state. One still waiting for its
        start is killed: the start never answered anyone. Either way the watcher records
        what becomes of it."""
        cid = rec["ID"]
        if running:
            from berth.runtime.state import StateStore
            try:
                runtime_state = StateStore(self.runtime_root).load(cid)
            except (BerthError, OSError):
                runtime_state = {}
            with self.store.lock:
                rec["HasBeenStartedBefore"] = True
                rec["HasBeenManuallyStopped"] = False
                self.set_status(rec, "running", Pid=int(runtime_state.get("pid") or 0),
                                ExitCode=0, Error="", OOMKilled=False,
                                StartedAt=runtime_state.get("created") or rec["Created"])
            log.warning("container %s: adopted a start interrupted by berthd's exit",
                        cid[:12])
        else:
            with contextlib.suppress(BerthError, OSError):
                await mclient.signal(self.sock(cid), 9)
            log.warning("container %s: killed a start interrupted by berthd's exit",
                        cid[:12])
        self.watch(cid)

    async def _boot_start(self, cid: str) -> None:
        """moby's daemon start: ``always`` (even if stopped by hand) and ``unless-stopped``
        (unless stopped by hand) containers are started again."""
        try:
            start = self.start
            await start(cid)
        except asyncio.CancelledError:
            raise
        except Exception as e:
            log.warning("starting %s on daemon start failed: %s", cid[:12], e)
        finally:
            self._restart_tasks.pop(cid, None)

    def _sweep_orphans(self) -> set[str]:
        """Snapshots and holds of containers without a record (a create that never wrote
        one, a removal whose hold deletion a power loss rolled back); the snapshot keys
        left."""
        sweep_trash(self.exec_root / "containers")  # state dirs a removal left
        known = {r["ID"] for r in self.store}
        keys = set()
        for info in list(self.snapshotter.walk()):
            key = info.key
            if key.startswith("container-") and key[10:] not in known:
                log.warning("removing orphaned container snapshot %s", key)
                with contextlib.suppress(Exception):
                    self.snapshotter.remove(key)
                    self.images.db.remove_holds(f"container/{key[10:]}")
            else:
                keys.add(key)
        with contextlib.suppress(Exception):
            for owner in self.images.db.hold_owners():
                if owner.startswith("container/") and owner[10:] not in known:
                    self.images.db.remove_holds(owner)
        return keys


def restart_on_boot(rec: dict[str, Any]) -> bool:
    """moby's restore (``ShouldRestart`` with a fresh restart manager): ``always``,
    ``unless-stopped`` unless stopped by hand, ``on-failure[:N]`` after a non-zero exit
    while fewer than N restarts were made."""
    policy = rec["HostConfig"].get("RestartPolicy") or {}
    name, limit = policy.get("Name") or "no", policy.get("MaximumRetryCount") or 0
    if not rec.get("HasBeenStartedBefore"):
        return False
    if name == "on-failure":
        return rec["State"]["ExitCode"] != 0 and (not limit or rec["RestartCount"] < limit)
    return name == "always" or (name == "unless-stopped" and
                                not rec.get("HasBeenManuallyStopped"))


def wait_result(rec: dict[str, Any]) -> dict[str, Any]:
    st = rec["State"]
    return {"StatusCode": st["ExitCode"], "Error": {"Message": st["Error"]} if st["Error"]
            else None}


def _now() -> str:
    from .state import now_rfc3339
    return now_rfc3339(time.time())
