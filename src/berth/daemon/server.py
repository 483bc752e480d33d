"""Running berthd: pidfile, services, event bus, API sites, signals, clean shutdown.

Startup order: lock the pidfile (refuse if another daemon holds it), build services,
run image GC, then listen; SIGTERM/SIGINT stop the sites and remove the sockets and
the pidfile.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Any

from aiohttp import web

from berth.api import Backends, make_app
from berth.api.server import Host, listen, parse_host, remove_sockets

from .config import DaemonConfig
from .degraded import UnavailableImages
from .events import EventBus
from .pidfile import PidFile
from .sysinfo import SystemInfo

log = logging.getLogger("berthd")


def _image_count(images: Any) -> int:
    if isinstance(images, UnavailableImages):
        return 0
    counts = images.counts()
    if isinstance(counts, int):
        return counts
    return int(counts.get("images", counts.get("Images", 0)))


async def _compose(cfg: DaemonConfig, bus: EventBus) -> tuple[Backends, Any]:
    """Services → backends; the image service is GC'd before the API opens."""
    from . import services

    loop = asyncio.get_running_loop()
    warnings: list[str] = []
    try:
        svc = await loop.run_in_executor(None, services.build, cfg, bus)
        driver, images = svc.driver, svc.images
        await loop.run_in_executor(None, images.gc)
    except ImportError as exc:
        log.error("image service unavailable: %s", exc)
        warnings.append(f"WARNING: image service unavailable: {exc}")
        svc, driver, images = None, "none", UnavailableImages(str(exc))
    system = SystemInfo(cfg, driver, lambda: _image_count(images), lambda: bus.listeners,
                        warnings)
    return Backends(system=system, images=images, events=bus), svc


async def serve(cfg: DaemonConfig, ready: asyncio.Event | None = None) -> None:
    """Serve until SIGTERM/SIGINT (or until the task is cancelled)."""
    hosts: list[Host] = [parse_host(h) for h in cfg.hosts]
    cfg.data_root.mkdir(parents=True, exist_ok=True, mode=0o710)
    cfg.exec_root.mkdir(parents=True, exist_ok=True, mode=0o700)
    loop = asyncio.get_running_loop()
    with PidFile(cfg.pid_path):
        bus = EventBus()
        bus.bind(loop)
        backends, svc = await _compose(cfg, bus)
        runner = web.AppRunner(make_app(backends), handler_cancellation=True,
                               access_log=None)
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
            await stop.wait()
            log.info("shutting down")
        finally:
            bus.close()
            await runner.cleanup()
            remove_sockets(hosts)
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(sig)
            if svc is not None:
                svc.close()
