"""``stats``: samples of a container's cgroup, shaped as docker's ``StatsResponse``.

A sample is the runtime's ``stats`` (runc's ``events --stats``: cgroup files through the
paths the runtime keeps in its state) plus host counters (``/proc/stat`` for
``system_cpu_usage``, ``/proc/<init>/net/dev`` for the container's netns). ``stream``
yields one object per second until the consumer stops iterating; each carries the
previous sample as ``precpu_stats``. ``stream=False`` answers like moby: the first sample
is taken, then the one a second later is sent with it as ``precpu`` (so the CLI can show
CPU %); ``one_shot`` sends the first sample alone. A container that is not running gets
moby's empty object (name and id only), also inside a stream.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any

from berth.errdefs import BerthError

from . import statsjson as sj
from ._base import ServiceBase
from .state import now_rfc3339

INTERVAL = 1.0
RUNNING = ("running", "paused")


class Stats(ServiceBase):
    proc_root = Path("/proc")

    def stats_sample(self, ref: str, pre: dict[str, Any] | None = None) -> dict[str, Any]:
        """One StatsResponse now (blocking: reads cgroup and /proc files)."""
        from berth.runtime import stats as rt_stats
        rec = self.get(ref)
        name, cid = rec["Name"], rec["ID"]
        if rec["State"]["Status"] not in RUNNING:
            return sj.empty(name, cid)
        try:
            raw = rt_stats(self.runtime_root, cid)["data"]
        except (BerthError, OSError, ValueError):  # exited between the check and the read
            return sj.empty(name, cid)
        proc = self.proc_root
        return sj.project(raw, name=name, cid=cid, read=now_rfc3339(),
                          system_ns=sj.system_cpu_ns(proc), online=sj.online_cpus(proc),
                          machine_memory=sj.machine_memory(proc),
                          networks=self._networks(rec), pre=pre)

    def _networks(self, rec: dict[str, Any]) -> dict[str, Any] | None:
        """Interfaces of the container's own netns (None for ``host``/``none``, as docker)."""
        mode = rec["HostConfig"].get("NetworkMode") or "bridge"
        if mode in ("host", "none") or mode.startswith("container:"):
            return None
        pid = rec["State"].get("Pid") or 0
        try:
            text = (self.proc_root / str(pid) / "net" / "dev").read_text()
        except OSError:
            return None
        return sj.net_dev(text)

    async def stats(self, ref: str, stream: bool = True,
                    one_shot: bool = False) -> AsyncGenerator[dict[str, Any], None]:
        """StatsResponse objects: endless when ``stream``, else exactly one. NotFound is
        raised by the first ``__anext__`` (callers fetch it before sending headers)."""
        loop = self.bind_loop()
        rec = self.get(ref)
        cid = rec["ID"]
        if stream:
            async for item in self._stream(cid):
                yield item
            return
        if rec["State"]["Status"] not in RUNNING:
            yield sj.empty(rec["Name"], cid)
            return
        first = await loop.run_in_executor(None, self.stats_sample, cid, None)
        if one_shot:
            yield first
            return
        await asyncio.sleep(INTERVAL)
        yield await loop.run_in_executor(None, self._next, cid, first)

    def _next(self, cid: str, pre: dict[str, Any]) -> dict[str, Any]:
        """The next sample; its pre is dropped when the previous one had no data."""
        return self.stats_sample(cid, pre if pre["read"] != sj.ZERO_TIME else None)

    async def _stream(self, cid: str) -> AsyncGenerator[dict[str, Any], None]:
        loop = self.bind_loop()
        pre: dict[str, Any] | None = None
        while True:
            try:
                cur = await loop.run_in_executor(None, self._next_or_first, cid, pre)
            except BerthError:  # removed while streaming: the stream ends
                return
            yield cur
            pre = cur
            await asyncio.sleep(INTERVAL)

    def _next_or_first(self, cid: str, pre: dict[str, Any] | None) -> dict[str, Any]:
        return self.stats_sample(cid, None) if pre is None else self._next(cid, pre)
