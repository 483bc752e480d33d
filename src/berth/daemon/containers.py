"""Wiring the container side of berthd: spawner, container service, recovery.

Order matters: the spawner is started first (``posix_spawn``: berthd never forks), then
the service loads its records, then ``recover()`` re-attaches to the monitors that kept
running while berthd was down and records the exits that happened meanwhile — all
before the API listens, so no request sees a half-recovered state.

Shutdown stops only berthd's own helpers: the spawner exits, monitors and containers
keep running (they are nobody's children) and are re-attached on the next start.
If the service cannot start, the error stops berthd (after stopping the spawner).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Any

from .config import DaemonConfig
from .events import EventBus

log = logging.getLogger("berthd")


@dataclass
class ContainerSide:
    service: Any = None  # berth.containers.ContainerService
    spawner: Any = None  # berth.monitor.spawnclient.SpawnerClient

    def counts(self) -> dict[str, int]:
        """Containers by state for ``/info``."""
        out = {"Containers": 0, "ContainersRunning": 0, "ContainersPaused": 0,
               "ContainersStopped": 0}
        if self.service is None:
            return out
        for rec in list(self.service.store):
            status = rec["State"]["Status"]
            out["Containers"] += 1
            key = {"running": "ContainersRunning", "restarting": "ContainersRunning",
                   "paused": "ContainersPaused"}.get(status, "ContainersStopped")
            out[key] += 1
        return out

    async def close(self) -> None:
        if self.service is not None:
            with contextlib.suppress(Exception):
                self.service.close()
        if self.spawner is not None:
            try:
                await self.spawner.close()
            except Exception:
                log.exception("stopping the spawner")


async def start(cfg: DaemonConfig, bus: EventBus, images: Any, snapshotter: Any) -> ContainerSide:
    """Spawner → service → recover."""
    from berth.containers import ContainerService
    from berth.monitor.spawnclient import start_spawner

    side = ContainerSide()
    loop = asyncio.get_running_loop()
    try:
        side.spawner = await loop.run_in_executor(None, start_spawner, cfg.exec_root)
        side.service = await loop.run_in_executor(
            None, lambda: ContainerService(cfg.data_root, cfg.exec_root, images, snapshotter,
                                           side.spawner, bus.publish))
        await side.service.recover()
    except BaseException:
        await side.close()
        raise
    return side
