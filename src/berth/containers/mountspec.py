"""MountPoints and ``HostConfig.Tmpfs`` → OCI mounts berth.runtime understands.

Binds and volumes become ``rbind`` (``bind`` with ``NonRecursive``); read-only is
``rro`` unless ``ReadOnlyNonRecursive`` asked for the plain ``ro``; propagation defaults
to ``rprivate``. tmpfs options are merged the way moby's ``MergeTmpfsOptions`` does:
``noexec,nosuid,nodev,rprivate`` first, a later option overriding an earlier one of the
same flag or data key, anything but known flags and size/mode/uid/gid/nr_* refused.
"""

from __future__ import annotations

import json
import posixpath
from pathlib import Path
from typing import Any

from berth.errdefs import InvalidArgument
from berth.runtime import mountopts

from .mountparse import check_dest

_TMPFS_DATA = ("size", "mode", "uid", "gid", "nr_inodes", "nr_blocks", "mpol")
_TMPFS_BASE = ["noexec", "nosuid", "nodev", "rprivate"]


def merge_tmpfs_options(options: list[str]) -> list[str]:
    """Last one wins per flag (propagation counts as one flag) and per data key."""
    seen: set[Any] = set()
    out: list[str] = []
    for opt in reversed(options):
        if opt == "defaults":
            continue
        if opt in mountopts.FLAGS and mountopts.FLAGS[opt][1]:
            key: Any = mountopts.FLAGS[opt][1]
        elif opt in mountopts.PROPAGATION:
            key = "propagation"
        else:
            k, eq, _ = opt.partition("=")
            if not eq or k not in _TMPFS_DATA:
                quoted = " ".join(json.dumps(p) for p in opt.split("=", 1))
                raise InvalidArgument(f"invalid tmpfs option [{quoted}]")
            key = "data:" + k
        if key not in seen:
            seen.add(key)
            out.insert(0, opt)
    return out


def tmpfs_data(opts: dict[str, Any] | None, readonly: bool) -> list[str]:
    """``TmpfsOptions`` → mount data (moby's ConvertTmpfsOptions): size with the largest
    unit that divides it, mode in octal, then the raw ``Options`` pairs (API 1.46)."""
    opts = opts or {}
    out = ["ro"] if readonly else []
    if opts.get("Mode"):
        out.append(f"mode={int(opts['Mode']) & 0o7777:o}")
    size = int(opts.get("SizeBytes") or 0)
    if size:
        for suffix, div in (("g", 1 << 30), ("m", 1 << 20), ("k", 1 << 10)):
            if size % div == 0:
                out.append(f"size={size // div}{suffix}")
                break
        else:
            out.append(f"size={size}")
    for pair in opts.get("Options") or []:
        out.append("=".join(str(p) for p in pair))
    return out


def tmpfs_mount(dest: str, data: list[str]) -> dict[str, Any]:
    return {"destination": posixpath.normpath(dest), "type": "tmpfs", "source": "tmpfs",
            "options": merge_tmpfs_options(_TMPFS_BASE + data)}


def host_tmpfs(tmpfs: dict[str, str] | None) -> list[dict[str, Any]]:
    """``HostConfig.Tmpfs`` ({dest: "size=…,mode=…"}) → OCI tmpfs mounts, checked."""
    out = []
    for dest, data in (tmpfs or {}).items():
        check_dest(dest)
        out.append(tmpfs_mount(dest, [o for o in (data or "").split(",") if o]))
    return out


def bind_mount(dest: str, source: str, rw: bool, propagation: str,
               spec: dict[str, Any] | None) -> dict[str, Any]:
    """A bind or volume mount point as an OCI bind mount."""
    bo = (spec or {}).get("BindOptions") or {}
    opts = ["bind" if bo.get("NonRecursive") else "rbind"]
    if not rw:
        opts.append("ro" if bo.get("ReadOnlyNonRecursive") else "rro")
    opts.append(propagation or "rprivate")
    return {"destination": dest, "type": "bind", "source": source, "options": opts}


def by_depth(mounts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Parents before children (``/a`` before ``/a/b``); stable otherwise."""
    return sorted(mounts, key=lambda m: len(Path(m["destination"]).parts))
