"""``VolumeService``: the volume backend of the Engine API and of the container service.

Contract in docs/design/volumes.md. Blocking and thread-safe: operations on one name are
serialised by a striped lock, metadata goes through ``VolumeStore``. Errors are
``berth.errdefs`` with docker's wording, prefixed ``<op> <name>: `` as dockerd's OpErr
does (``get x: no such volume``, ``remove x: volume is in use - [<ids>]``).

Crash safety: create makes the driver's volume first and writes the row last; remove
detaches mounts, drops the row, then deletes the data. A kill at any instant leaves at
worst a directory no row names, deleted at the next start (``_sweep``).
"""

from __future__ import annotations

import builtins
import logging
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from berth.errdefs import BerthError, Conflict, InvalidArgument, NotFound

from . import filters as flt
from .drivers import DriverRegistry
from .kernel import HostKernel, Kernel
from .local import LocalDriver, remove_tree
from .localopts import needs_mount
from .plugin_discovery import DEFAULT_DIRS
from .service_ops import ContainerSide, Publish, wrap
from .store import VolumeRecord, VolumeStore
from .views import dir_size, volume_view

log = logging.getLogger("berth.volumes")
JSON = dict[str, Any]


class VolumeService(ContainerSide):
    def __init__(self, data_root: Path, exec_root: Path, publish: Publish | None = None,
                 plugin_dirs: Sequence[Path] = DEFAULT_DIRS, *,
                 kernel: Kernel | None = None, plugin_timeout: float = 60.0) -> None:
        self.root = data_root / "volumes"
        self.exec_root = exec_root  # local volumes mount over their _data, like docker's
        self.kernel: Kernel = kernel or HostKernel()
        self.root.mkdir(parents=True, exist_ok=True, mode=0o701)
        self.store = VolumeStore(self.root / "metadata.db")
        self.local = LocalDriver(self.root, self.kernel, self._options_of)
        self.drivers = DriverRegistry(self.local, plugin_dirs, plugin_timeout)
        self._publish = publish
        self._stripes = [threading.RLock() for _ in range(64)]
        self._prune_lock = threading.Lock()
        self._sweep()

    def close(self) -> None:
        self.store.close()

    # -- API backend -----------------------------------------------------------------
    def create(self, body: JSON) -> JSON:
        """``POST /volumes/create``: an empty name makes an anonymous volume (docker)."""
        name, driver = _str(body, "Name"), _str(body, "Driver")
        opts, labels = _map(body, "DriverOpts"), _map(body, "Labels")
        return self.get_or_create(name or None, driver, opts, labels, anonymous=not name)

    def inspect(self, name: str) -> JSON:
        with self._lock(name):
            rec = self._lookup(name, "get")
            return self._view(rec, status=True)

    def list(self, filters: flt.Filters | None = None) -> JSON:
        filters = filters or {}
        flt.check_keys(filters, flt.LIST_FILTERS)
        dangling = flt.bool_filter(filters, "dangling")
        vols, warnings = self._all_views()
        counts = self.store.user_counts("refs")
        out = [v for v in vols if self._matches(v, filters, dangling, counts)]
        return {"Volumes": out, "Warnings": warnings or None}

    def remove(self, name: str, force: bool = False) -> None:
        """Refused while referenced, ``force`` or not (docker); ``force`` makes a missing
        volume a success and purges the row even when the driver fails."""
        with self._lock(name):
            try:
                rec = self._lookup(name, "get")
            except NotFound:
                if force:
                    return
                raise
            self._remove(rec, force)

    def prune(self, filters: flt.Filters | None = None) -> JSON:
        """Unused local volumes without options; anonymous ones unless ``all=true``."""
        if not self._prune_lock.acquire(blocking=False):
            raise Conflict("a prune operation is already running")
        try:
            fs = flt.prune_filters(filters or {})
            deleted: builtins.list[str] = []
            reclaimed = 0
            for rec in self.store.all():
                if rec.driver != "local" or rec.options or not flt.match_labels(fs, rec.labels):
                    continue
                with self._lock(rec.name):
                    if self.store.users("refs", rec.name) or self.store.get(rec.name) is None:
                        continue
                    size = dir_size(self.local.path(rec.name))
                    try:
                        self._remove(rec, False)
                    except BerthError as e:
                        log.warning("prune: %s", e.message)
                        continue
                deleted.append(rec.name)
                reclaimed += max(size, 0)
            self._event("prune", "", {"reclaimed": str(reclaimed)})
            return {"VolumesDeleted": deleted, "SpaceReclaimed": reclaimed}
        finally:
            self._prune_lock.release()

    def usage(self) -> builtins.list[JSON]:
        """``/system/df`` Volumes: local volumes without options, sized by a walk."""
        counts = self.store.user_counts("refs")
        out = []
        for rec in self.store.all():
            if rec.driver == "local" and not rec.options:
                path = self.local.path(rec.name)
                out.append(volume_view(rec, path, usage={
                    "Size": dir_size(path), "RefCount": counts.get(rec.name, 0)}))
        return out

    # -- internals -------------------------------------------------------------------
    def _lock(self, name: str) -> threading.RLock:
        return self._stripes[hash(name) % len(self._stripes)]

    def _options_of(self, name: str) -> dict[str, str] | None:
        rec = self.store.get(name)
        return rec.options if rec else None

    def _event(self, action: str, name: str, attrs: dict[str, str]) -> None:
        if self._publish is not None:
            self._publish("volume", action, name, attrs)

    def _lookup(self, name: str, op: str) -> VolumeRecord:
        """The stored volume, or one a plugin has that berth did not know (adopted, as
        dockerd's getVolume does); NotFound ``<op> <name>: no such volume``."""
        rec = self.store.get(name)
        if rec is not None:
            return rec
        if name:
            plugins, _ = self.drivers.plugins()
            for drv in plugins:
                try:
                    found = drv.get(name)
                except BerthError:
                    continue
                if found is not None:
                    rec = VolumeRecord(name, drv.name, None, None, time.time(), False,
                                       drv.scope())
                    self.store.insert(rec)
                    return rec
        raise NotFound(f"{op} {name}: no such volume")

    def _view(self, rec: VolumeRecord, status: bool = False) -> JSON:
        if rec.driver == "local":
            return volume_view(rec, self.local.path(rec.name))
        drv = self.drivers.get(rec.driver)
        try:
            info = drv.get(rec.name) or {}
        except BerthError as e:
            self.drivers.call_failed(rec.driver, e)
            raise wrap("get", rec.name, e) from None
        return volume_view(rec, info.get("Mountpoint", ""), created=info.get("CreatedAt"),
                           status=info.get("Status") if status else None)

    def _all_views(self) -> tuple[builtins.list[JSON], builtins.list[str]]:
        records = self.store.all()
        known = {r.name: r for r in records}
        views = [volume_view(r, self.local.path(r.name)) for r in records if r.driver == "local"]
        plugins, warnings = self.drivers.plugins()
        listed: set[str] = set()
        for drv in plugins:
            try:
                vols = drv.list()
            except BerthError as e:
                self.drivers.call_failed(drv.name, e)
                warnings.append(f"list {drv.name}: {e.message}")
                continue
            listed.add(drv.name)
            for v in vols:
                rec = known.get(v["Name"]) or VolumeRecord(v["Name"], drv.name, None, None,
                                                           time.time(), False, drv.scope())
                if rec.driver == drv.name:
                    views.append(volume_view(rec, v.get("Mountpoint", ""),
                                             created=v.get("CreatedAt")))
        views += [volume_view(r, "") for r in records
                  if r.driver != "local" and r.driver not in listed]
        return views, warnings

    def _matches(self, v: JSON, fs: flt.Filters, dangling: bool | None,
                 counts: dict[str, int]) -> bool:
        if fs.get("driver") and v["Driver"] not in fs["driver"]:
            return False
        if fs.get("name") and not flt.match_name(fs["name"], v["Name"]):
            return False
        if not flt.match_labels(fs, v["Labels"]):
            return False
        return dangling is None or (counts.get(v["Name"], 0) == 0) == dangling

    def _remove(self, rec: VolumeRecord, force: bool) -> None:
        refs = self.store.users("refs", rec.name)
        if refs:
            raise Conflict(f"remove {rec.name}: volume is in use - [{', '.join(refs)}]")
        if rec.driver == "local":
            for point in self.kernel.mounts_under(self.local.path(rec.name)):
                try:
                    self.kernel.unmount(point)
                except OSError as e:
                    raise BerthError(f"remove {rec.name}: unmount {point}: "
                                     f"{e.strerror or e}") from None
            self.store.delete(rec.name)
            try:
                self.local.remove(rec.name)
            except BerthError as e:
                log.warning("volume %s: %s (left for the next start)", rec.name, e.message)
        else:
            try:
                self.drivers.get(rec.driver).remove(rec.name)
            except BerthError as e:
                self.drivers.call_failed(rec.driver, e)
                if force:
                    self.store.delete(rec.name)
                raise wrap("remove", rec.name, e) from None
            self.store.delete(rec.name)
        self._event("destroy", rec.name, {"driver": rec.driver})

    def _sweep(self) -> None:
        """Start-up: delete directories no row names; detach option mounts nobody uses."""
        names = {r.name: r for r in self.store.all()}
        for p in sorted(self.root.iterdir()):
            if p.is_dir() and p.name not in names:
                try:
                    remove_tree(p, self.kernel)
                except BerthError as e:
                    log.warning("volume leftover %s: %s", p, e.message)
        for rec in names.values():
            if rec.driver == "local" and needs_mount(rec.options) \
                    and not self.store.users("mounts", rec.name):
                for point in self.kernel.mounts_under(self.local.path(rec.name)):
                    try:
                        self.kernel.unmount(point)
                    except OSError as e:
                        log.warning("volume %s: unmount %s: %s", rec.name, point, e)


def _str(body: JSON, key: str) -> str:
    v = body.get(key)
    if v is None:
        return ""
    if not isinstance(v, str):
        raise InvalidArgument(f"json: cannot unmarshal {type(v).__name__} into Go struct "
                              f"field CreateOptions.{key} of type string")
    return v


def _map(body: JSON, key: str) -> dict[str, str] | None:
    v = body.get(key)
    if v is None:
        return None
    if not isinstance(v, dict) or not all(isinstance(x, str) for x in v.values()):
        raise InvalidArgument(f"json: cannot unmarshal {key} into Go struct field "
                              f"CreateOptions.{key} of type map[string]string")
    return dict(v)


