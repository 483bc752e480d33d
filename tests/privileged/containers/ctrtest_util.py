"""Helpers for the container-service tests (a module of its own: tests never import conftest)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from berth.containers.service import ContainerService
from berth.images import ImageService
from berth.monitor.spawnclient import SpawnerClient
from berth.snapshots import OverlaySnapshotter


@dataclass
class Env:
    root: Path
    exec_root: Path
    images: ImageService
    snap: OverlaySnapshotter
    spawner: SpawnerClient
    events: list[tuple[str, str, str, dict[str, str]]] = field(default_factory=list)
    services: list[ContainerService] = field(default_factory=list)

    def service(self) -> ContainerService:
        svc = ContainerService(self.root, self.exec_root, self.images, self.snap,
                               self.spawner, lambda *a: self.events.append(a))
        self.services.append(svc)
        return svc

    def actions(self, cid: str) -> list[str]:
        return [e[1] for e in self.events if e[2] == cid]


async def until(cond: Callable[[], Any], timeout: float = 10.0) -> Any:
    """Poll ``cond`` with a short back-off until truthy (no fixed sleeps)."""
    loop = asyncio.get_running_loop()
    deadline, delay = loop.time() + timeout, 0.002
    while not (value := cond()):
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(delay)
        delay = min(delay * 2, 0.05)
    return value
