"""Running healthchecks: one asyncio task per running container, probes run as execs.

``Checker`` is the loop (sleep the interval, probe, record, repeat) with its clock, its
sleep and its probe injected, so tests drive it with a fake clock and a fake probe
(DESIGN.md: no real intervals in unit tests). ``HealthMixin`` wires it into the service:
a check starts when the container's ``start`` event is published (also restarts and
policy restarts) and on ``recover``, and stops on ``die`` (status → unhealthy, as moby).
Each result is persisted with the record (State.Health) and a status change publishes
``health_status: <status>``. The probe is a real exec (``exec_create``/``exec_start``
with stdout+stderr attached), so it runs with the container's user, env and cgroup and
shows up in events as moby's probes do; on timeout the probe is SIGKILLed and the result
is exit code -1 with moby's "Health check exceeded timeout (…)".
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
import time
from collections.abc import Awaitable, Callable
from typing import Any

from berth.errdefs import BerthError
from berth.monitor import client as mclient
from berth.monitor import records

from . import healthcheck as hc
from ._base import log
from .exec import ExecMixin
from .exits import Exits
from .state import parse_time

Probe = Callable[[hc.Check], Awaitable[hc.Result]]
EXIT_WAIT = 5.0


class Checker:
    """One container's probe loop; ends when ``state()`` says it is gone or stopped."""

    def __init__(self, check: hc.Check, state: Callable[[], dict[str, Any] | None],
                 record: Callable[[hc.Result, float], None], probe: Probe,
                 clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep) -> None:
        self.check, self.state, self.record, self.probe = check, state, record, probe
        self.clock, self.sleep = clock, sleep

    async def run(self) -> None:
        while (st := self.state()) is not None:
            started = parse_time(st["StartedAt"])
            status = (st.get("Health") or {}).get("Status") or hc.STARTING
            await self.sleep(hc.next_interval(self.check, status, self.clock() - started))
            st = self.state()
            if st is None:
                return
            if st["Status"] == "paused":
                continue
            res = await self.probe(self.check)
            if self.state() is None:
                return
            self.record(res, started)


class HealthMixin(ExecMixin, Exits):
    health_clock: Callable[[], float] = staticmethod(time.time)
    health_sleep: Callable[[float], Awaitable[Any]] = staticmethod(asyncio.sleep)

    @property
    def _health_tasks(self) -> dict[str, asyncio.Task[None]]:
        tasks: dict[str, asyncio.Task[None]] = self.__dict__.setdefault("_health", {})
        return tasks

    def publish(self, action: str, rec: dict[str, Any], **extra: str) -> None:
        super().publish(action, rec, **extra)
        cid = rec["ID"]
        if action == "start":
            self.on_loop(lambda: self.health_start(cid, reset=True))
        elif action == "die":
            self.on_loop(lambda: self.health_stop(cid))

    async def recover(self) -> None:
        await super().recover()
        for rec in list(self.store):
            if rec["State"]["Status"] in ("running", "paused"):
                self.health_start(rec["ID"], reset=False)

    def health_start(self, cid: str, reset: bool) -> None:
        """(Re)start the check of a running container (on the loop)."""
        self.health_stop(cid, mark=False)
        try:
            rec = self.get(cid)
        except BerthError:
            return
        check = hc.parse(rec["Config"].get("Healthcheck"), rec["Config"].get("Shell"))
        if check is None or rec["State"]["Status"] not in ("running", "paused"):
            return
        with self.store.lock:
            h = rec["State"].get("Health")
            if reset or not h:
                rec["State"]["Health"] = dict(hc.initial(), Log=(h or {}).get("Log") or [])
                self.store.save(rec)
        checker = Checker(check, lambda: self._health_state(cid),
                          lambda res, started: self._health_record(cid, check, res, started),
                          lambda c: self.health_probe(cid, c), self.health_clock,
                          self.health_sleep)
        self._health_tasks[cid] = self.bind_loop().create_task(checker.run())

    def health_stop(self, cid: str, mark: bool = True) -> None:
        task = self._health_tasks.pop(cid, None)
        if task is not None:
            task.cancel()
        if not mark:
            return
        with contextlib.suppress(BerthError), self.store.lock:
            rec = self.get(cid)
            if hc.stopped(rec["State"].get("Health")):
                self.store.save(rec)

    def _health_state(self, cid: str) -> dict[str, Any] | None:
        try:
            st: dict[str, Any] = self.get(cid)["State"]
        except BerthError:
            return None
        return st if st["Status"] in ("running", "paused") else None

    def _health_record(self, cid: str, check: hc.Check, res: hc.Result,
                       started: float) -> None:
        rec = self.get(cid)
        with self.store.lock:
            health = rec["State"].setdefault("Health", hc.initial())
            changed = hc.apply(health, check, res, started)
            self.store.save(rec)
        if changed:
            self.publish(f"health_status: {changed}", rec)

    async def health_probe(self, cid: str, check: hc.Check) -> hc.Result:
        """Run ``check.argv`` as an exec; its exit code and output (cut to 4 KiB)."""
        loop, start = self.bind_loop(), self.health_clock()
        try:
            eid = await loop.run_in_executor(None, lambda: self.exec_create(
                cid, {"Cmd": check.argv, "AttachStdout": True, "AttachStderr": True}, True))
            reader, writer = await self.exec_start(eid, detach=False)
        except BerthError as e:
            return hc.Result(start, self.health_clock(), -1, e.message)
        try:
            out = await asyncio.wait_for(_read_demuxed(reader), check.timeout)
        except TimeoutError:
            await self._kill_exec(eid)
            return hc.Result(start, self.health_clock(), -1,
                             f"Health check exceeded timeout ({go_duration(check.timeout)})")
        finally:
            writer.close()
        code = await self._exec_exit_code(eid)
        return hc.Result(start, self.health_clock(), code, hc.truncate(out))

    async def _kill_exec(self, eid: str) -> None:
        ex = self.execs.get(eid)
        with contextlib.suppress(BerthError, OSError):
            await mclient.signal(self.exec_dir(ex) / records.SOCK_FILE, 9)

    async def _exec_exit_code(self, eid: str) -> int:
        loop = self.bind_loop()
        deadline = loop.time() + EXIT_WAIT
        while (code := self.exec_inspect(eid)["ExitCode"]) is None:
            if loop.time() > deadline:
                log.warning("health probe %s: no exit code", eid[:12])
                return -1
            await asyncio.sleep(0.01)
        return int(code)


async def _read_demuxed(reader: Any) -> bytes:
    """stdout+stderr payloads of a stdcopy stream, up to MAX_OUTPUT (the rest drained)."""
    buf, out = b"", bytearray()
    while chunk := await reader.read(1 << 16):
        buf += chunk
        while len(buf) >= 8:
            size = struct.unpack(">I", buf[4:8])[0]
            if len(buf) < 8 + size:
                break
            if len(out) < hc.MAX_OUTPUT:
                out += buf[8:8 + size]
            buf = buf[8 + size:]
    return bytes(out[:hc.MAX_OUTPUT])


def go_duration(secs: float) -> str:
    """Go's ``time.Duration.String`` for the common cases (1s, 1.5s, 500ms, 1m30s)."""
    if secs < 1:
        return f"{round(secs * 1000)}ms"
    m, s = divmod(secs, 60)
    s_txt = f"{s:.9f}".rstrip("0").rstrip(".") + "s"
    if m < 1:
        return s_txt
    h, m = divmod(int(m), 60)
    return (f"{h}h" if h else "") + f"{m}m" + s_txt
