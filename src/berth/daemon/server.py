"""Running berthd: pidfile, services, event bus, API sites, signals, clean shutdown.

Startup order: lock the pidfile (refuse if another daemon holds it), build services,
run image GC, start the spawner and recover the containers, then listen; SIGTERM/SIGINT
stop the sites and remove the sockets and the pidfile. Containers are not stopped: their
monitors outlive berthd and are re-attached at the next start.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Any

from aiohttp import web

from berth.api import Backends, make_app
from berth.api.server import Host, listen, parse_host, remove_sockets

from . import memtrim
from .config import DaemonConfig
from .containers import ContainerSide
from .containers import start as start_containers
from .events import EventBus
from .pidfile import PidFile
from .sysinfo import SystemInfo

log = logging.getLogger("berthd")
SHUTDOWN_GRACE = 2.0  # seconds for in-flight requests; waits and follows are cut after it


async def _compose(cfg: DaemonConfig, bus: EventBus) -> tuple[Backends, Any, ContainerSide]:
    """Services → backends; the image service is GC'd and the containers are recovered
    before the API opens. A service that cannot start stops berthd with its error: a
    daemon that answers with half its services would hide the fault."""
    from . import services

    loop = asyncio.get_running_loop()
    svc = await loop.run_in_executor(None, services.build, cfg, bus)
    images = svc.images
    await loop.run_in_executor(None, images.gc)
    side = await start_containers(cfg, bus, images, svc.snapshotter, svc.volumes)
    system = SystemInfo(cfg, svc.driver, lambda: int(images.counts()["Images"]),
                        lambda: bus.listeners, [], side.counts)
    return Backends(system=system, images=images, events=bus, containers=side.service,
                    execs=side.service, volumes=svc.volumes,
                    networks=side.networks, netattach=side.netglue), svc, side


async def serve(cfg: DaemonConfig, ready: asyncio.Event | None = None) -> None:
    """Serve until SIGTERM/SIGINT (or until the task is cancelled)."""
    hosts: list[Host] = [parse_host(h) for h in cfg.hosts]
    cfg.data_root.mkdir(parents=True, exist_ok=True, mode=0o710)
    cfg.exec_root.mkdir(parents=True, exist_ok=True, mode=0o700)
    loop = asyncio.get_running_loop()
    with PidFile(cfg.pid_path):
        bus = EventBus()
        bus.bind(loop)
        backends, svc, side = await _compose(cfg, bus)
        idle = memtrim.IdleTrim(loop)
        app = make_app(backends)
        app.middlewares.append(idle.middleware)
        runner = web.AppRunner(app, handler_cancellation=True,
                               access_log=None, shutdown_timeout=SHUTDOWN_GRACE)
        await runner.setup()
        stop = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        try:
            await listen(runner, hosts)
            for h in hosts:
                log.info("API listen on %s", h)
            if ready is not None:
                ready.set()
            memtrim.after_startup()
            await stop.wait()
            log.info("shutting down")
        finally:
            idle.close()
            bus.close()
            await runner.cleanup()
            remove_sockets(hosts)
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(sig)
            await side.close()  # containers and their monitors keep running
            svc.close()
