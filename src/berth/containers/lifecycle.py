"""start, stop, kill, restart, wait and attach: the coroutines the API awaits.

start: mount + bundle (thread) → spawner (monitor created, init blocked), while the
network's kernel work (``NetPlan.plumb``) runs on the thread pool → connect the attachers
that registered before start → monitor ``start`` → record running → watcher. With no
attacher registered and nothing to plumb, the spawn request says ``start`` and the
monitor's set-up releases the init itself (its reply says ``started``): no ``start`` op.
A failed creation keeps the container in its state with docker's ``ExitCode`` (127/126
for a missing or non-executable command) and ``Error``, and raises moby's message.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal as _signal
from typing import Any

from berth.errdefs import BerthError, Conflict, InvalidArgument, NotModified, Unavailable
from berth.monitor import client as mclient
from berth.runtime import resume

from . import bundle, signals
from ._base import log
from .exits import Exits, wait_result
from .state import now_rfc3339

LIVE = ("running", "paused", "restarting")
KILL_GRACE = 60.0


class Lifecycle(Exits):
    async def start(self, ref: str, *, restarting: bool = False) -> None:
        loop = self.bind_loop()
        rec = self.get(ref)
        cid, st = rec["ID"], rec["State"]["Status"]
        if st == "paused":
            raise Conflict("cannot start a paused container, try unpause instead")
        if st in ("running",) or (st == "restarting" and not restarting) or cid in self._starting:
            raise NotModified(f"container {cid[:12]} is already running")
        if st in ("removing", "dead"):
            raise Conflict(f"container {cid[:12]} is marked for removal and cannot be started")
        self._starting.add(cid)
        try:
            try:
                plumb = await loop.run_in_executor(None, bundle.prepare, rec, self.snapshotter,
                                                   self.ctr_dir(cid), self.state_dir(cid),
                                                   self.networks, self.volumes)
            except BerthError:
                if rec["HostConfig"].get("AutoRemove"):  # moby: wait=removed must fire
                    await self._remove_failed(cid)
                raise
            # the veths, addresses and routes are made while the runtime creates the
            # container (kernel work, both); the init is released only after both
            plumbing = loop.run_in_executor(None, plumb) if plumb is not None else None
            # nobody attached and nothing to plumb: the monitor starts it as it creates it
            reply = await self._spawn(rec, start=plumbing is None
                                      and cid not in self._pending_attach, plumbing=plumbing)
            await self._connect_attachers(cid)
            try:
                pid = (int(reply["pid"]) if reply.get("started") else
                       await mclient.start(self.sock(cid)))
            except BaseException:
                self.watch(cid)  # the monitor records whatever became of the init
                raise
            with self.store.lock:
                rec["HasBeenStartedBefore"] = True
                rec["HasBeenManuallyStopped"] = False
                # fsync'ed only if a daemon start reads it (restart_on_boot): lost to a
                # power loss, the record reads as before this start, and nothing runs
                self.set_status(rec, "running", durable=_boot_policy(rec), Pid=pid,
                                ExitCode=0, Error="", OOMKilled=False,
                                StartedAt=now_rfc3339())
            self.publish("start", rec)
            self.watch(cid)
        finally:
            self._starting.discard(cid)

    async def _spawn(self, rec: dict[str, Any], start: bool,
                     plumbing: asyncio.Future[None] | None = None) -> dict[str, Any]:
        """The spawner's ok reply (``started``: the container runs already); a failed
        creation is recorded and raised. ``plumbing`` (the network's kernel work, running
        meanwhile) is awaited either way; if it failed, the created container is killed
        (its exit is recorded as any other) and the error raised."""
        cid = rec["ID"]
        req = bundle.spawn_request(rec, self.state_dir(cid), self.runtime_root,
                                   self.seccomp_cache, start=start)
        plumb_error: BaseException | None = None
        try:
            reply = await self.spawner.spawn(req)
        except BerthError as e:
            reply = {"ok": False, "error": e.message,
                     "exit_code": getattr(e, "exit_code", 128)}
        finally:
            if plumbing is not None:
                try:
                    await plumbing
                except Exception as e:  # any failure of it fails the start
                    plumb_error = e
        if reply.get("ok") and plumb_error is None:
            return reply
        if reply.get("ok"):
            with contextlib.suppress(BerthError, OSError):
                await mclient.signal(self.sock(cid), int(_signal.SIGKILL))
            self.watch(cid)  # the exit is recorded and the network released as any other
            why = f"failed to set up the container's network: {plumb_error}"
            self._fail_attachers(cid, why)
            raise BerthError(why)
        await self.bind_loop().run_in_executor(None, self.release_start, rec)
        code = int(reply.get("exit_code") or 128)
        msg = f"failed to create task for container: {reply.get('error', 'unknown error')}"
        with self.store.lock:
            rec["State"].update(ExitCode=code if code in (126, 127) else 128, Error=msg)
            self.store.save(rec)
        self._fail_attachers(cid, msg)
        if rec["HostConfig"].get("AutoRemove"):  # moby removes it, so wait=removed fires
            await self._remove_failed(cid)
        if code in (126, 127):
            raise InvalidArgument(msg)
        raise BerthError(msg)

    async def _remove_failed(self, cid: str) -> None:
        self._starting.discard(cid)
        try:
            await self.bind_loop().run_in_executor(None, self.remove, cid, True, True)
        except BerthError as e:
            log.warning("removing %s after its failed start: %s", cid[:12], e)

    async def stop(self, ref: str, timeout: int | None = None,
                   signal: str | None = None) -> None:
        rec = self.get(ref)
        if self.cancel_restart(rec):
            with self.store.lock:
                rec["HasBeenManuallyStopped"] = True  # unless-stopped stays so on boot
                self.store.save(rec)
            self.publish("stop", rec)
            return
        if rec["State"]["Status"] not in ("running", "paused"):
            raise NotModified(f"container {rec['ID'][:12]} is already stopped")
        with self.store.lock:
            rec["HasBeenManuallyStopped"] = True
            self.store.save(rec)
        cfg = rec["Config"]
        sig = signals.parse(signal or cfg.get("StopSignal"), int(_signal.SIGTERM))
        if timeout is None:
            timeout = cfg.get("StopTimeout") if cfg.get("StopTimeout") is not None else 10
        await self._stop(rec, sig, timeout)
        self.publish("stop", rec)

    async def _stop(self, rec: dict[str, Any], sig: int, timeout: float) -> None:
        cid = rec["ID"]
        fut = self.waiter(self._exit_waiters, cid)
        if rec["State"]["Status"] not in ("running", "paused"):
            return
        with contextlib.suppress(BerthError, OSError):  # the monitor may be exiting
            await self._signal(rec, sig)
        try:
            await asyncio.wait_for(asyncio.shield(fut), None if timeout < 0 else timeout)
            return
        except TimeoutError:
            pass
        with contextlib.suppress(BerthError, OSError):
            await self._signal(rec, int(_signal.SIGKILL))
        try:
            await asyncio.wait_for(asyncio.shield(fut), KILL_GRACE)
        except TimeoutError:
            raise Unavailable(f"container {cid[:12]} did not exit after SIGKILL") from None

    async def _signal(self, rec: dict[str, Any], sig: int) -> None:
        await mclient.signal(self.sock(rec["ID"]), sig)
        self.publish("kill", rec, signal=str(sig))
        if rec["State"]["Status"] == "paused" and sig != _signal.SIGKILL:
            await self.bind_loop().run_in_executor(None, self._thaw, rec)

    def _thaw(self, rec: dict[str, Any]) -> None:
        with contextlib.suppress(BerthError):
            resume(self.runtime_root, rec["ID"])
        if rec["State"]["Status"] == "paused":
            self.set_status(rec, "running")
            self.publish("unpause", rec)

    async def kill(self, ref: str, signal: str | None = None) -> None:
        rec = self.get(ref)
        sig = signals.parse(signal, int(_signal.SIGKILL))
        if rec["State"]["Status"] not in ("running", "paused"):
            raise Conflict(f"Cannot kill container: {ref}: Container {rec['ID']} is not running")
        stop_sig = signals.parse(rec["Config"].get("StopSignal"), int(_signal.SIGTERM))
        if sig in (_signal.SIGKILL, stop_sig):
            with self.store.lock:
                rec["HasBeenManuallyStopped"] = True
                self.store.save(rec)
        await self._signal(rec, sig)

    async def restart(self, ref: str, timeout: int | None = None) -> None:
        rec = self.get(ref)
        with contextlib.suppress(NotModified):
            await self.stop(rec["ID"], timeout)
        await self.start(rec["ID"])
        self.publish("restart", rec)

    async def wait(self, ref: str, condition: str = "not-running") -> dict[str, Any]:
        rec = self.get(ref)
        cond = condition or "not-running"
        if cond not in ("not-running", "next-exit", "removed"):
            raise InvalidArgument(f'invalid condition: "{condition}"')
        if cond == "not-running" and rec["State"]["Status"] not in LIVE:
            return wait_result(rec)
        table = self._remove_waiters if cond == "removed" else self._exit_waiters
        return await self.waiter(table, rec["ID"])

    async def attach(self, ref: str, stdin: bool, stdout: bool, stderr: bool,
                     stream: bool = True, logs: bool = False) -> Any:
        """A (reader, writer) onto the monitor's attach stream; registered at once and
        connected when the container starts if it is not running yet."""
        rec = self.get(ref)
        cid, st = rec["ID"], rec["State"]["Status"]
        stdin = stdin and bool(rec["Config"].get("OpenStdin"))
        if st == "paused":
            raise Conflict(f"container {cid} is paused, unpause the container before attach.")
        if st == "restarting":
            raise Conflict("You cannot attach to a restarting container, wait until it is "
                           "running")
        self.publish("attach", rec)
        if st == "running" and cid not in self._starting:
            return await mclient.open_attach(self.sock(cid), stdin, stdout, stderr)
        fut: asyncio.Future[Any] = self.bind_loop().create_future()
        self._pending_attach.setdefault(cid, []).append((fut, stdin, stdout, stderr))
        return await fut

    async def _connect_attachers(self, cid: str) -> None:
        for fut, i, o, e in self._pending_attach.pop(cid, []):
            if fut.done():
                continue
            try:
                fut.set_result(await mclient.open_attach(self.sock(cid), i, o, e))
            except Exception as exc:
                if not fut.done():
                    fut.set_exception(exc)

    def _fail_attachers(self, cid: str, msg: str) -> None:
        for fut, *_ in self._pending_attach.pop(cid, []):
            if not fut.done():
                fut.set_exception(Conflict(msg))


def _boot_policy(rec: dict[str, Any]) -> bool:
    """Whether the restart policy starts the container again on daemon start."""
    name = (rec["HostConfig"].get("RestartPolicy") or {}).get("Name") or "no"
    return name in ("always", "unless-stopped")
