"""The container side of ``VolumeService``: create-on-use, references, mounts.

``volglue`` calls these while a container is created, started, stopped and removed:
``get_or_create`` + ``acquire`` at create, ``mount``/``unmount`` around each run,
``release`` at removal. References and mount users are stored (see ``store``), so they
survive a restart of berthd while the containers keep running.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from berth.errdefs import BerthError, Conflict, NotFound
from berth.volumes.plugin_client import PluginError

from .drivers import DriverRegistry
from .names import ANONYMOUS_LABEL, generate_name
from .store import VolumeRecord, VolumeStore

JSON = dict[str, Any]
Publish = Callable[[str, str, str, dict[str, str]], Any]  # (type, action, id, attributes)


def wrap(op: str, name: str, exc: BerthError) -> BerthError:
    """dockerd's OpErr: ``<op> <name>: <message>``, same error class."""
    message = f"{op} {name}: {exc.message}"
    if isinstance(exc, PluginError):
        return PluginError(message, exc.status)
    return type(exc)(message)


class ContainerSide:
    store: VolumeStore
    drivers: DriverRegistry

    def _lock(self, name: str) -> threading.RLock:
        raise NotImplementedError

    def _event(self, action: str, name: str, attrs: dict[str, str]) -> None:
        raise NotImplementedError

    def _lookup(self, name: str, op: str) -> VolumeRecord:
        raise NotImplementedError

    def _view(self, rec: VolumeRecord, status: bool = False) -> JSON:
        raise NotImplementedError

    def get_or_create(self, name: str | None, driver: str = "", opts: dict[str, str] | None
                      = None, labels: dict[str, str] | None = None,
                      anonymous: bool = False) -> JSON:
        """The named volume if it exists (same driver, or none asked), else a new one;
        ``None`` as the name makes an anonymous volume with a random 64-hex name."""
        if not name:
            name, anonymous = generate_name(), True
        if anonymous:
            labels = {**(labels or {}), ANONYMOUS_LABEL: ""}
        with self._lock(name):
            rec = self.store.get(name)
            if rec is not None:
                if driver and driver != rec.driver:
                    raise Conflict(f"create {name}: driver '{rec.driver}' already has volume "
                                   f"'{name}': volume name must be unique")
                return self._view(rec)
            return self._view(self._create(name, driver or "local", opts, labels, anonymous))

    def _create(self, name: str, driver: str, opts: dict[str, str] | None,
                labels: dict[str, str] | None, anonymous: bool) -> VolumeRecord:
        try:
            drv = self.drivers.get(driver)
            scope = drv.scope()
            if driver == "local" or drv.get(name) is None:
                drv.create(name, dict(opts or {}))
        except BerthError as e:
            self.drivers.call_failed(driver, e)
            raise wrap("create", name, e) from None
        rec = VolumeRecord(name, driver, labels, opts, time.time(), anonymous, scope)
        try:
            self.store.insert(rec)
        except BaseException:
            if driver == "local":
                drv.remove(name)
            raise
        self._event("create", name, {"driver": driver})
        return rec

    def acquire(self, name: str, cid: str) -> None:
        """``cid`` uses the volume: it cannot be removed until ``release``."""
        with self._lock(name):
            if self.store.get(name) is None:
                raise NotFound(f"get {name}: no such volume")
            self.store.add_user("refs", name, cid)

    def release(self, name: str, cid: str) -> None:
        """Idempotent; a volume that is gone is fine."""
        with self._lock(name):
            self.store.remove_user("refs", name, cid)

    def mount(self, name: str, cid: str, attrs: dict[str, str] | None = None) -> str:
        """The host path to bind for ``cid`` (driver Mount; local: mounts its options
        on first use). ``attrs`` add to the ``mount`` event (destination, read/write…)."""
        with self._lock(name):
            rec = self._lookup(name, "get")
            drv = self.drivers.get(rec.driver)
            try:
                path = drv.mount(name, cid)
            except BerthError as e:
                self.drivers.call_failed(rec.driver, e)
                raise
            self.store.add_user("mounts", name, cid)
            self._event("mount", name, {"driver": rec.driver, "container": cid,
                                        **(attrs or {})})
            return path

    def unmount(self, name: str, cid: str) -> None:
        """``cid`` no longer runs with the volume; the last user unmounts it."""
        with self._lock(name):
            rec = self.store.get(name)
            if rec is None or not self.store.remove_user("mounts", name, cid):
                return
            last = not self.store.users("mounts", name)
            try:
                self.drivers.get(rec.driver).unmount(name, cid, last)
            except BerthError as e:
                self.drivers.call_failed(rec.driver, e)
                raise
            except OSError as e:
                raise BerthError(f"unmount {name}: {e.strerror or e}") from None
            self._event("unmount", name, {"driver": rec.driver, "container": cid})
