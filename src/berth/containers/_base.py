"""Shared state of the container service: stores, paths, events, exit waiters.

Threading: blocking methods run on berthd's thread pool, coroutines on its loop. Record
changes happen under ``store.lock`` (short sections, no I/O but the record write); waiter
futures live on the loop and are only touched there (``_on_loop``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from berth.images import ImageService

from . import bundle
from ._ports import Networks, Publish, Spawner, Volumes
from .defaults import HostPathVolumes, LoopbackNetworks
from .state import transition
from .store import Store

log = logging.getLogger("berth.containers")


class ServiceBase:
    def __init__(self, data_root: Path, exec_root: Path, images: ImageService,
                 snapshotter: Any, spawner: Spawner, publish: Publish | None = None, *,
                 networks: Networks | None = None, volumes: Volumes | None = None) -> None:
        self.data_root, self.exec_root = Path(data_root), Path(exec_root)
        self.networks: Networks = networks or LoopbackNetworks()
        self.volumes: Volumes = volumes or HostPathVolumes()
        self.runtime_root = self.exec_root / "runtime"
        #: compiled seccomp filters by profile hash, shared by every monitor (each creates
        #: its container in a fresh child, which would otherwise run libseccomp: ~25 ms)
        self.seccomp_cache = self.exec_root / "seccomp"
        self.images, self.snapshotter, self.spawner = images, snapshotter, spawner
        self._publish_fn = publish or (lambda *_a: None)
        self.store = Store(self.data_root / "containers")
        self.store.load()
        self._loop: asyncio.AbstractEventLoop | None = None
        # cid -> futures resolved on the next exit / on removal
        self._exit_waiters: dict[str, list[asyncio.Future[dict[str, Any]]]] = {}
        self._remove_waiters: dict[str, list[asyncio.Future[dict[str, Any]]]] = {}
        self._watchers: dict[str, asyncio.Task[None]] = {}
        self._pending_attach: dict[str, list[Any]] = {}
        self._starting: set[str] = set()
        images.in_use = self.image_users

    # -- paths -----------------------------------------------------------------------------

    def ctr_dir(self, cid: str) -> Path:
        return self.store.dir(cid)

    def state_dir(self, cid: str) -> Path:
        return self.exec_root / "containers" / cid

    def sock(self, cid: str) -> Path:
        return self.state_dir(cid) / "monitor.sock"

    def rootfs(self, cid: str) -> Path:
        return self.state_dir(cid) / "rootfs"

    # -- records ---------------------------------------------------------------------------

    def get(self, ref: str) -> dict[str, Any]:
        return self.store.get(ref)

    def set_status(self, rec: dict[str, Any], to: str, durable: bool = True,
                   **fields: Any) -> None:
        """Transition, update fields, persist — one step of the state machine
        (``durable``: see ``Store.save``)."""
        with self.store.lock:
            transition(rec["ID"], rec["State"], to)
            rec["State"].update(fields)
            self.store.save(rec, durable=durable)

    def release_start(self, rec: dict[str, Any]) -> None:
        """Undo a start after the exit (or a failed start): networking, volumes, rootfs."""
        bundle.release(rec, self.rootfs(rec["ID"]), self.networks, self.volumes)

    def image_users(self, image_id: str) -> list[str]:
        return [r["ID"] for r in self.store if r["Image"] == image_id]

    # -- events ----------------------------------------------------------------------------

    def publish(self, action: str, rec: dict[str, Any], **extra: str) -> None:
        attrs = dict(rec["Config"].get("Labels") or {})
        attrs.update(image=rec["Config"].get("Image") or rec["Image"],
                     name=rec["Name"].lstrip("/"), **extra)
        try:
            self._publish_fn("container", action, rec["ID"], attrs)
        except Exception:
            log.exception("publishing %s of %s", action, rec["ID"][:12])

    # -- implemented by the concrete service (declared here for the mixins) -----------------

    def remove(self, ref: str, force: bool = False, volumes: bool = False,
               link: bool = False) -> None:
        raise NotImplementedError("ContainerService.remove")

    async def start(self, ref: str, *, restarting: bool = False) -> None:
        raise NotImplementedError("ContainerService.start")

    # -- loop helpers ----------------------------------------------------------------------

    def bind_loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
        return self._loop

    def on_loop(self, fn: Callable[[], Any]) -> None:
        """Run ``fn`` on the loop (now if we are on it)."""
        loop = self._loop
        if loop is None:
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            fn()
        elif not loop.is_closed():
            loop.call_soon_threadsafe(fn)

    def resolve_waiters(self, table: dict[str, list[asyncio.Future[dict[str, Any]]]],
                        cid: str, result: dict[str, Any]) -> None:
        def done() -> None:
            for fut in table.pop(cid, []):
                if not fut.done():
                    fut.set_result(result)
        self.on_loop(done)

    def waiter(self, table: dict[str, list[asyncio.Future[dict[str, Any]]]],
               cid: str) -> asyncio.Future[dict[str, Any]]:
        fut: asyncio.Future[dict[str, Any]] = self.bind_loop().create_future()
        table.setdefault(cid, []).append(fut)
        return fut
