"""A container's mount requests → its ``MountPoints`` (keyed by destination), checked.

moby's registerMountPoints order: mounts copied from ``VolumesFrom`` containers, then
``Binds``, then ``Mounts`` (a later one silently replaces a volumes-from one; two user
mounts on one destination are "Duplicate mount point"), then the anonymous volumes of
``Config.Volumes`` (image ``VOLUME``s included) for destinations nothing else covers.
Pure apart from looking up the other containers: volumes are created by ``volglue``.
Transient keys (``_from``, ``_z``, ``_image``) tell volglue how to resolve a volume; it drops them.
"""

from __future__ import annotations

import copy
import posixpath
from collections.abc import Callable
from typing import Any

from berth.errdefs import InvalidArgument, NotFound

from . import mountparse as mp_
from .mountspec import host_tmpfs, tmpfs_data, tmpfs_mount

Lookup = Callable[[str], dict[str, Any]]


def _dup(dest: str) -> InvalidArgument:
    return InvalidArgument(f"Duplicate mount point: {dest}")


def plan(hc: dict[str, Any], cfg: dict[str, Any], lookup: Lookup | None) -> dict[str, Any]:
    """Every mount point the container will have; raises moby's error for a bad one."""
    points: dict[str, dict[str, Any]] = {}
    for spec in hc.get("VolumesFrom") or []:
        ref, mode = mp_.parse_volumes_from(spec)
        if lookup is None:
            raise InvalidArgument("--volumes-from needs the container service")
        try:
            other = lookup(ref)
        except NotFound as e:  # moby: InvalidParameter (a 404 would make the CLI pull)
            raise InvalidArgument(e.message) from None
        for m in (other.get("MountPoints") or {}).values():
            points[m["Destination"]] = _copied(m, mode)
    tmpfs = {posixpath.normpath(d) for d in (hc.get("Tmpfs") or {})}
    host_tmpfs(hc.get("Tmpfs"))  # destinations and options checked now, not at start
    taken: set[str] = set()
    for raw in hc.get("Binds") or []:
        if not isinstance(raw, str):
            raise InvalidArgument("invalid volume specification: Binds entries must be strings")
        m = mp_.parse_bind(raw, hc.get("VolumeDriver") or "")
        if m["Destination"] in taken or m["Destination"] in tmpfs:
            raise _dup(m["Destination"])
        _finish(m, binds=True)
        taken.add(m["Destination"])
        points[m["Destination"]] = m
    for spec in hc.get("Mounts") or []:
        m = mp_.parse_mount(spec)
        if m["Destination"] in taken or m["Destination"] in tmpfs:
            raise _dup(spec.get("Target"))
        _finish(m, binds=False)
        taken.add(m["Destination"])
        points[m["Destination"]] = m
    for dest in tmpfs:
        points.pop(dest, None)  # a --tmpfs wins over what volumes-from brought
    for raw in sorted(cfg.get("Volumes") or {}):
        dest = posixpath.normpath(raw)
        mp_.check_dest(dest)
        if dest in points or dest in tmpfs:
            continue
        points[dest] = {"Type": "volume", "Name": "", "Source": "", "Destination": dest,
                        "Driver": hc.get("VolumeDriver") or "", "RW": True, "Mode": "",
                        "Propagation": "", "CopyData": True, "Spec": {}, "_image": True}
    return points


def _finish(m: dict[str, Any], binds: bool) -> None:
    """Checks that need the parsed point: local volume names, tmpfs options."""
    spec = m["Spec"]
    if m["Type"] == "volume":
        if m["Name"] and m["Driver"] in ("", "local"):
            mp_.check_volume_name(m["Name"])
        m["_z"] = True  # moby's setBindModeIfNull for local volumes
    elif m["Type"] == "tmpfs":
        tmpfs_mount(m["Destination"], tmpfs_data(spec.get("TmpfsOptions"), not m["RW"]))
    elif m["Type"] == "bind" and not binds:
        m["SkipMountpointCreation"] = not (spec.get("BindOptions") or {}).get(
            "CreateMountpoint")


def _copied(m: dict[str, Any], mode: str) -> dict[str, Any]:
    """moby's volumes-from copy: same source, read-only if either says so, no copy-up."""
    rw = m["RW"] and "ro" not in mode.split(",")
    out = {k: copy.deepcopy(m.get(k)) for k in ("Type", "Name", "Source", "Destination",
                                                 "Driver", "Propagation", "Spec")}
    out.update(RW=rw, Mode="", CopyData=False)
    if out["Type"] == "volume":
        out["_from"] = True
    return out
