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
    networks: Any = None  # berth.network.NetworkService
    netglue: Any = None  # berth.containers.netglue.ContainerNetworks
    dns: Any = None  # berth.network.dns.EmbeddedDNS

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
        for closer in (self.dns, self.networks):
            if closer is not None:
                with contextlib.suppress(Exception):
                    await asyncio.get_running_loop().run_in_executor(None, closer.close)


async def start(cfg: DaemonConfig, bus: EventBus, images: Any, snapshotter: Any,
                volumes: Any = None) -> ContainerSide:
    """Spawner → service → recover. ``volumes`` (a VolumeService) backs the
    containers' named and anonymous volumes through ``volglue``."""
    from berth.containers import ContainerService
    from berth.containers.volglue import ContainerVolumes
    from berth.monitor.spawnclient import start_spawner

    side = ContainerSide()
    loop = asyncio.get_running_loop()
    glue = ContainerVolumes(volumes)
    try:
        side.spawner = await loop.run_in_executor(None, start_spawner, cfg.exec_root)
        side.networks, side.dns, side.netglue = await loop.run_in_executor(
            None, _networking, cfg, bus, loop)
        side.service = await loop.run_in_executor(
            None, lambda: ContainerService(cfg.data_root, cfg.exec_root, images, snapshotter,
                                           side.spawner, bus.publish, volumes=glue,
                                           networks=side.netglue))
        glue.lookup = side.service.get
        side.netglue.lookup = side.service.get
        side.netglue.save = side.service.store.save
        await side.service.recover()
    except BaseException:
        await side.close()
        raise
    return side


def _networking(cfg: DaemonConfig, bus: EventBus, loop: asyncio.AbstractEventLoop) -> Any:
    """NetworkService (bridges, IPAM, nftables), the embedded DNS on berthd's loop, and
    the glue the container service drives (docs/design/network.md)."""
    from pathlib import Path

    from berth.containers.netglue import ContainerNetworks
    from berth.network import NetworkConfig, NetworkService
    from berth.network.dns import EmbeddedDNS, host_upstreams, make_lookup, make_reverse

    ncfg = NetworkConfig(default_subnet=cfg.bip or None, mtu=cfg.mtu)
    if cfg.default_address_pools:
        ncfg.default_address_pools = list(cfg.default_address_pools)
    service = NetworkService(cfg.data_root, cfg.exec_root, ncfg, bus.publish)
    try:
        resolv = Path("/etc/resolv.conf").read_text(errors="replace")
    except OSError:
        resolv = ""
    dns = EmbeddedDNS(make_lookup(service), host_upstreams(resolv),
                      reverse=make_reverse(service), loop=loop)
    return service, dns, ContainerNetworks(service, dns)
