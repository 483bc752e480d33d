"""``HostConfig.Binds`` and ``HostConfig.Mounts`` → moby's MountPoint records, checked.

One parser for both syntaxes: a ``-v`` spec is turned into the ``Mounts`` form (docker's
``mount.Mount``) and validated by the same rules, so the errors are moby's
(``invalid volume specification: '<spec>': invalid mount config for type "bind": …``).
Pure: nothing here touches the host except the existence check of a ``--mount`` bind
source (``-v`` creates a missing one at start instead).
"""

from __future__ import annotations

import os
import posixpath
import re
from typing import Any

from berth.errdefs import InvalidArgument

PROPAGATION = ("shared", "rshared", "slave", "rslave", "private", "rprivate")
_MODE_GROUPS = ({"rw", "ro"}, {"z", "Z"}, set(PROPAGATION), {"nocopy"},
                {"consistent", "cached", "delegated"})
_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]+")


def valid_mode(mode: str) -> bool:
    """moby's ValidMountMode: known words, at most one of each kind."""
    if not mode:
        return True
    opts = mode.split(",")
    counts = [sum(o in g for o in opts) for g in _MODE_GROUPS]
    return all(any(o in g for g in _MODE_GROUPS) for o in opts) and max(counts) <= 1


def check_volume_name(name: str) -> None:
    """The local driver's name rule, worded as ``docker volume create`` reports it."""
    if not _NAME.fullmatch(name):
        raise InvalidArgument(
            f"create {name}: \"{name}\" includes invalid characters for a local volume name, "
            "only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host "
            "directory, use absolute path")


def check_dest(path: str) -> None:
    """ValidateTmpfsMountDestination / the target checks every mount gets."""
    if path.startswith("/") and not posixpath.normpath(path).strip("/"):
        raise InvalidArgument("invalid specification: destination can't be '/'")
    if not path.startswith("/"):
        raise InvalidArgument(f"invalid mount path: '{path}' mount path must be absolute")


def bind_spec(raw: str, volume_driver: str = "") -> tuple[dict[str, Any], str]:
    """A ``-v`` string → (its ``mount.Mount`` form, the mode text); errInvalidSpec/Mode."""
    arr = raw.split(":")
    if len(arr) == 1:
        src, dst, mode = "", arr[0], ""
    elif len(arr) == 2:
        if valid_mode(arr[1]):  # "/foo:rw": a destination and a mode, no source
            raise InvalidArgument(f"invalid volume specification: '{raw}'")
        src, dst, mode = arr[0], arr[1], ""
    elif len(arr) == 3:
        src, dst, mode = arr
        if not valid_mode(mode):
            raise InvalidArgument(f"invalid mode: {mode}")
    else:
        raise InvalidArgument(f"invalid volume specification: '{raw}'")
    opts = mode.split(",") if mode else []
    kind = "bind" if src.startswith("/") else "volume"
    spec: dict[str, Any] = {"Type": kind, "Source": src, "Target": dst}
    if "ro" in opts:
        spec["ReadOnly"] = True
    if volume_driver and kind == "volume":
        spec["VolumeOptions"] = {"DriverConfig": {"Name": volume_driver}}
    if "nocopy" in opts:
        spec.setdefault("VolumeOptions", {})["NoCopy"] = True
    prop = next((o for o in opts if o in PROPAGATION), "")
    if prop:
        spec["BindOptions"] = {"Propagation": prop}
    return spec, mode


def parse_bind(raw: str, volume_driver: str = "") -> dict[str, Any]:
    """A ``HostConfig.Binds`` entry → MountPoint (``Mode`` is the spec's mode text)."""
    spec, mode = bind_spec(raw, volume_driver)
    try:
        mp = parse_mount(spec, source_must_exist=False)
    except InvalidArgument as e:
        raise InvalidArgument(f"invalid volume specification: '{raw}': {e}") from None
    mp["Mode"] = mode
    return mp


def _extra(m: dict[str, Any], *fields: str) -> None:
    for f in fields:
        if m.get(f) is not None:
            raise _err(m, f"field {f} must not be specified")


def _err(m: dict[str, Any], msg: str) -> InvalidArgument:
    return InvalidArgument(f"invalid mount config for type \"{m.get('Type') or ''}\": {msg}")


def validate(m: dict[str, Any], source_must_exist: bool = True) -> None:
    """moby's validateMountConfig for Linux."""
    kind, src, target = m.get("Type") or "", m.get("Source") or "", m.get("Target") or ""
    if not target:
        raise _err(m, "field Target must not be empty")
    try:
        check_dest(target)
    except InvalidArgument as e:
        raise _err(m, str(e)) from None
    ro, bo, vo = bool(m.get("ReadOnly")), m.get("BindOptions"), m.get("VolumeOptions")
    if kind == "bind":
        if not src:
            raise _err(m, "field Source must not be empty")
        prop = (bo or {}).get("Propagation") or ""
        if prop and prop not in PROPAGATION:
            raise _err(m, f"invalid propagation mode: {prop}")
        _extra(m, "VolumeOptions", "TmpfsOptions")
        if not src.startswith("/"):
            raise _err(m, f"invalid mount path: '{src}' mount path must be absolute")
        _check_recursive(m, bo or {}, ro)
        if source_must_exist and not (bo or {}).get("CreateMountpoint") \
                and not os.path.lexists(src):
            raise _err(m, f"bind source path does not exist: {src}")
    elif kind == "volume":
        _extra(m, "BindOptions", "TmpfsOptions")
        sub = (vo or {}).get("Subpath") or ""
        if sub and not src:
            raise _err(m, "must not set Subpath when using anonymous volumes")
        if sub and (sub.startswith("/") or ".." in sub.split("/")):
            raise _err(m, "subpath must be a relative path within the volume")
        if ro and not src:
            raise _err(m, "must not set ReadOnly mode when using anonymous volumes")
    elif kind == "tmpfs":
        _extra(m, "BindOptions")
        if src:
            raise _err(m, "field Source must not be specified")
        _extra(m, "VolumeOptions")
        size = (m.get("TmpfsOptions") or {}).get("SizeBytes") or 0
        if size < 0:
            raise _err(m, f"invalid tmpfs size: {size}")
    else:
        raise _err(m, "mount type unknown")


def _check_recursive(m: dict[str, Any], bo: dict[str, Any], ro: bool) -> None:
    if bo.get("ReadOnlyNonRecursive") and bo.get("ReadOnlyForceRecursive"):
        raise _err(m, "must not set both ReadOnlyNonRecursive and ReadOnlyForceRecursive")
    for key in ("ReadOnlyNonRecursive", "ReadOnlyForceRecursive"):
        if bo.get(key) and not ro:
            raise _err(m, f"must not set {key} when ReadOnly is false")


def parse_mount(m: dict[str, Any], source_must_exist: bool = True) -> dict[str, Any]:
    """A ``HostConfig.Mounts`` entry → MountPoint (moby's parseMountSpec)."""
    if not isinstance(m, dict):
        raise InvalidArgument("invalid mount config: a mount must be an object")
    validate(m, source_must_exist)
    kind, vo = m["Type"], m.get("VolumeOptions") or {}
    mp: dict[str, Any] = {
        "Type": kind, "Name": "", "Source": "", "Destination": posixpath.normpath(m["Target"]),
        "Driver": "", "RW": not m.get("ReadOnly"), "Mode": "", "Propagation": "",
        "CopyData": False, "Spec": m}
    if kind == "volume":
        mp["Name"] = m.get("Source") or ""
        mp["Driver"] = (vo.get("DriverConfig") or {}).get("Name") or ""
        mp["CopyData"] = not vo.get("NoCopy")
    elif kind == "bind":
        mp["Source"] = posixpath.normpath(m["Source"])
        mp["Propagation"] = (m.get("BindOptions") or {}).get("Propagation") or "rprivate"
    return mp


def parse_volumes_from(spec: str) -> tuple[str, str]:
    """``<container>[:ro|rw]`` → (reference, mode)."""
    if not spec:
        raise InvalidArgument("volumes-from specification cannot be an empty string")
    ref, _, mode = spec.partition(":")
    if not mode:
        return ref, "rw"
    if not valid_mode(mode) or "nocopy" in mode.split(","):
        raise InvalidArgument(f"invalid mode: {mode}")
    if any(o in PROPAGATION for o in mode.split(",")):
        raise InvalidArgument("cannot use propagation properties while importing volumes "
                              "from data container")
    return ref, mode
