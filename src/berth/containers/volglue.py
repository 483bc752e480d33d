"""``ContainerVolumes``: the container service's ``Volumes`` on top of VolumeService.

create: ``mountplan`` checks every request first, then the named and anonymous volumes
are created and referenced (``get_or_create`` + ``acquire``); an error undoes both, so a
refused create leaves no volume behind. start: the volumes are mounted (driver mounts),
filled from the image on first use, subpaths bound, and the OCI mounts returned by depth.
``rm -v`` removes only anonymous volumes (an empty ``Spec.Source``, as moby decides).
Without a VolumeService (``volumes=None``) only binds and tmpfs work.
"""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path
from typing import Any

from berth.errdefs import BerthError, NotFound, NotImplementedYet

from . import views
from .mountplan import Lookup, plan
from .mountspec import bind_mount, by_depth, host_tmpfs, tmpfs_data, tmpfs_mount
from .volcopy import copy_up, mount_subpath, unmount_subpath

log = logging.getLogger(__name__)


class ContainerVolumes:
    def __init__(self, volumes: Any, lookup: Lookup | None = None) -> None:
        self.service = volumes
        #: container reference → record, for ``VolumesFrom`` (set by whoever wires the
        #: container service, which is built after this object)
        self.lookup = lookup

    # -- create ---------------------------------------------------------------------------

    def check_create(self, rec: dict[str, Any]) -> None:
        points = plan(rec["HostConfig"], rec["Config"], self.lookup)
        if self.service is None:  # image VOLUMEs were ignored before volumes existed
            points = {d: m for d, m in points.items() if not m.get("_image")}
        held: list[tuple[str, bool]] = []  # (volume, created here); all acquired
        try:
            for m in points.values():
                if m["Type"] == "volume":
                    self._resolve(m, rec["ID"], held)
        except BaseException:
            self._undo(held, rec["ID"])
            raise
        rec["MountPoints"] = points

    def _resolve(self, m: dict[str, Any], cid: str, held: list[tuple[str, bool]]) -> None:
        if self.service is None:
            raise NotImplementedYet("volumes need berth's volume service; this container "
                                    "service was built without one")
        relabel, from_other = m.pop("_z", False), m.pop("_from", False)
        m.pop("_image", None)
        if from_other:
            self.service.inspect(m["Name"])  # NotFound if it went away meanwhile
            self.service.acquire(m["Name"], cid)
            held.append((m["Name"], False))
            return
        existing = None
        if m["Name"]:
            with contextlib.suppress(NotFound):
                existing = self.service.inspect(m["Name"])
        driver = m["Driver"] or (existing or {}).get("Driver") or "local"
        vo = m["Spec"].get("VolumeOptions") or {}
        opts = (vo.get("DriverConfig") or {}).get("Options") or {}
        v = self.service.get_or_create(m["Name"] or None, driver, opts,
                                       vo.get("Labels") or {}, not m["Spec"].get("Source"))
        created = existing is None
        try:
            self.service.acquire(v["Name"], cid)
        except BaseException:
            if created:
                with contextlib.suppress(Exception):
                    self.service.remove(v["Name"])
            raise
        held.append((v["Name"], created))
        m.update(Name=v["Name"], Driver=v.get("Driver") or driver,
                 Source=v.get("Mountpoint") or "")
        if relabel and m["Driver"] == "local" and not m["Mode"]:
            m["Mode"] = "z"

    def _undo(self, held: list[tuple[str, bool]], cid: str) -> None:
        for name, created in reversed(held):
            with contextlib.suppress(Exception):
                self.service.release(name, cid)
            if created:
                with contextlib.suppress(Exception):
                    self.service.remove(name)

    # -- start / exit ---------------------------------------------------------------------

    def mount(self, rec: dict[str, Any], rootfs: Path) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        try:
            for i, m in enumerate(points(rec)):
                out.append(self._mount_one(rec["ID"], i, m, rootfs))
        except BaseException:
            self.unmount(rec)
            raise
        return by_depth(out + host_tmpfs(rec["HostConfig"].get("Tmpfs")))

    def _mount_one(self, cid: str, i: int, m: dict[str, Any], rootfs: Path) -> dict[str, Any]:
        dest, spec = m["Destination"], m.get("Spec") or {}
        if m["Type"] == "tmpfs":
            return tmpfs_mount(dest, tmpfs_data(spec.get("TmpfsOptions"), not m["RW"]))
        if m["Type"] == "bind":
            if not m.get("SkipMountpointCreation") and not os.path.lexists(m["Source"]):
                os.makedirs(m["Source"], 0o755, exist_ok=True)  # -v creates it, as root
            return bind_mount(dest, m["Source"], m["RW"], m["Propagation"], spec)
        path = self.service.mount(m["Name"], cid, {
            "destination": dest, "read/write": str(bool(m["RW"])).lower(),
            "propagation": m["Propagation"]})
        sub = (spec.get("VolumeOptions") or {}).get("Subpath") or ""
        if m.get("CopyData") and not sub:
            copy_up(rootfs, dest, path)
        m["CopyData"] = False  # docker fills a volume once, when the container is made
        if sub:
            target = rootfs.parent / "volume-subpaths" / str(i)
            mount_subpath(path, sub, target)
            m["SubpathMount"] = path = str(target)
        return bind_mount(dest, path, m["RW"], m["Propagation"], spec)

    def unmount(self, rec: dict[str, Any]) -> None:
        for m in points(rec):
            if m.get("SubpathMount"):
                unmount_subpath(Path(m.pop("SubpathMount")))
            if m["Type"] == "volume" and m["Name"] and self.service is not None:
                try:  # idempotent: the service counts this container's mount once
                    self.service.unmount(m["Name"], rec["ID"])
                except BerthError as e:
                    log.warning("unmounting volume %s: %s", m["Name"], e)

    def release(self, rec: dict[str, Any], remove_anonymous: bool) -> None:
        for m in points(rec):
            if m["Type"] != "volume" or not m["Name"] or self.service is None:
                continue
            with contextlib.suppress(NotFound):
                self.service.release(m["Name"], rec["ID"])
            if remove_anonymous and not (m.get("Spec") or {}).get("Source"):
                try:
                    self.service.remove(m["Name"])
                except BerthError as e:  # in use elsewhere (volumes-from): docker keeps it
                    log.info("keeping anonymous volume %s: %s", m["Name"], e)

    def mounts_view(self, rec: dict[str, Any]) -> list[dict[str, Any]]:
        points(rec)
        return views.mounts(rec)


def points(rec: dict[str, Any]) -> list[dict[str, Any]]:
    """The record's mount points; a record made before they existed gets its binds'."""
    if "MountPoints" not in rec:  # before, only host-path Binds and Tmpfs were honoured
        hc = {k: rec["HostConfig"].get(k) for k in ("Binds", "Tmpfs")}
        try:
            made = plan(hc, {}, None)
        except BerthError:
            made = {}
        rec["MountPoints"] = {d: m for d, m in made.items() if m["Type"] != "volume"}
    return list(rec["MountPoints"].values())
