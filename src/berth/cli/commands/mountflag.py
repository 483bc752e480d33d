"""``--mount`` (CSV ``key=value`` fields) → a ``HostConfig.Mounts`` entry, as the docker CLI.

Keys are case-insensitive; ``volume-*``/``bind-*``/``tmpfs-*`` options create their
options object (any ``volume-*`` one an empty ``DriverConfig`` too, as docker sends it)
and may not be mixed with another type. Errors are the CLI's words; the caller wraps
them as pflag does (``invalid argument "…" for "--mount" flag: …``).
"""

from __future__ import annotations

import os

from berth.cli.commands import convert as cv

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_BOOLS = {"1": True, "t": True, "T": True, "true": True, "TRUE": True, "True": True,
          "0": False, "f": False, "F": False, "false": False, "FALSE": False, "False": False}
_RECURSIVE = {"enabled": None, "disabled": "NonRecursive", "writable": "ReadOnlyNonRecursive",
              "readonly": "ReadOnlyForceRecursive"}


def _bool(key: str, val: str) -> bool:
    if val not in _BOOLS:
        raise cv.BadValue(f"invalid value for {key}: {val}")
    return _BOOLS[val]


def _kv(target: dict[str, str], val: str) -> None:
    k, _, v = val.partition("=")
    target[k] = v


def _abs(path: str) -> str:
    return os.path.abspath(path) if path == "." or path.startswith("./") else path


def parse(value: str) -> dict[str, Any]:
    """One ``--mount`` value → its ``mount.Mount`` JSON (Go field order, omitempty)."""
    import csv  # only for --mount: not at start-up

    try:
        fields = next(csv.reader([value]), None)
    except csv.Error as e:
        raise cv.BadValue(str(e)) from None
    if fields is None:
        raise cv.BadValue("EOF")
    m: dict[str, Any] = {"Type": "volume"}
    bind: dict[str, Any] = {}
    vol: dict[str, Any] = {}
    tmpfs: dict[str, Any] = {}
    used = set()
    for field in fields:
        key, eq, val = field.partition("=")
        key = key.lower()
        if not eq:
            flag = {"readonly": "ro", "ro": "ro", "volume-nocopy": "nocopy",
                    "bind-nonrecursive": "nonrec"}.get(key)
            if flag is None:
                raise cv.BadValue(f"invalid field '{field}' must be a key=value pair")
            val = "true"
        if key.startswith(("volume-", "bind-", "tmpfs-")):
            used.add(key.split("-")[0])
        if key == "type":
            m["Type"] = val.lower()
        elif key in ("source", "src"):
            m["Source"] = _abs(val)
        elif key in ("target", "dst", "destination"):
            m["Target"] = val
        elif key in ("readonly", "ro"):
            m["ReadOnly"] = _bool(key, val)
        elif key == "consistency":
            m["Consistency"] = val.lower()
        elif key == "bind-propagation":
            bind["Propagation"] = val.lower()
        elif key == "bind-nonrecursive":
            bind["NonRecursive"] = _bool(key, val)
        elif key == "bind-recursive":
            if val not in _RECURSIVE:
                raise cv.BadValue(f"invalid value for {key}: {val} (must be \"enabled\", "
                                  "\"disabled\", \"writable\", or \"readonly\")")
            if _RECURSIVE[val]:
                bind[str(_RECURSIVE[val])] = True
        elif key == "volume-nocopy":
            vol["NoCopy"] = _bool(key, val)
        elif key == "volume-label":
            _kv(vol.setdefault("Labels", {}), val)
        elif key == "volume-subpath":
            vol["Subpath"] = val
        elif key == "volume-driver":
            vol.setdefault("DriverConfig", {})["Name"] = val
        elif key == "volume-opt":
            _kv(vol.setdefault("DriverConfig", {}).setdefault("Options", {}), val)
        elif key == "tmpfs-size":
            try:
                tmpfs["SizeBytes"] = cv.ram_in_bytes(val)
            except cv.BadValue:
                raise cv.BadValue(f"invalid value for {key}: {val}") from None
        elif key == "tmpfs-mode":
            try:
                tmpfs["Mode"] = int(val, 8)
            except ValueError:
                raise cv.BadValue(f"invalid value for {key}: {val}") from None
        else:
            raise cv.BadValue(f"unexpected key '{key}' in '{field}'")
    return _finish(m, bind, vol, tmpfs, used)


def _finish(m: dict[str, Any], bind: dict[str, Any], vol: dict[str, Any],
            tmpfs: dict[str, Any], used: set[str]) -> dict[str, Any]:
    if not m["Type"]:
        raise cv.BadValue("type is required")
    if not m.get("Target"):
        raise cv.BadValue("target is required")
    for kind in ("volume", "bind", "tmpfs"):
        if kind in used and m["Type"] != kind:
            raise cv.BadValue(f"cannot mix '{kind}-*' options with mount type '{m['Type']}'")
    ro = m.get("ReadOnly")
    if bind.get("ReadOnlyNonRecursive") and not ro:
        raise cv.BadValue("option 'bind-recursive=writable' requires 'readonly' to be "
                          "specified in conjunction")
    if bind.get("ReadOnlyForceRecursive"):
        if not ro:
            raise cv.BadValue("option 'bind-recursive=readonly' requires 'readonly' to be "
                              "specified in conjunction")
        if bind.get("Propagation") != "rprivate":
            raise cv.BadValue("option 'bind-recursive=readonly' requires "
                              "'bind-propagation=rprivate' to be specified in conjunction")
    out: dict[str, Any] = {"Type": m["Type"]}
    for key in ("Source", "Target", "ReadOnly", "Consistency"):
        if m.get(key):
            out[key] = m[key]
    if "bind" in used:
        out["BindOptions"] = {k: bind[k] for k in (
            "Propagation", "NonRecursive", "ReadOnlyNonRecursive", "ReadOnlyForceRecursive")
            if bind.get(k)}
    if "volume" in used:
        driver = vol.get("DriverConfig") or {}
        for obj, key in ((driver, "Options"), (vol, "Labels")):  # Go maps: sorted keys
            if obj.get(key):
                obj[key] = dict(sorted(obj[key].items()))
        out["VolumeOptions"] = {**{k: vol[k] for k in ("NoCopy", "Labels", "Subpath")
                                   if vol.get(k)},
                                "DriverConfig": {k: driver[k] for k in ("Name", "Options")
                                                 if driver.get(k)}}
    if "tmpfs" in used:
        out["TmpfsOptions"] = {k: tmpfs[k] for k in ("SizeBytes", "Mode") if tmpfs.get(k)}
    return out
