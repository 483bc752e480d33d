"""Mark-and-sweep garbage collection over the content store and the snapshotter.

Roots are what the DB references (image configs, manifests, layer blobs, layer chain IDs)
plus explicit holds and the caller's in-flight set (a load in progress). Everything else
is swept: unreferenced blobs; committed snapshots (children first, so parents become
free); and leftover *extraction* snapshots (keys with ``EXTRACT_PREFIX``) of a crashed
unpack. Active snapshots owned by others (container rootfs) are never touched here.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from berth.errdefs import BerthError
from berth.metadata.db import MetadataDB
from berth.oci.digest import Digest

log = logging.getLogger(__name__)

EXTRACT_PREFIX = "extract-"


class _Content(Protocol):
    def walk(self) -> Iterable[Any]: ...

    def delete(self, d: Digest) -> None: ...


class _Snapshots(Protocol):
    def walk(self) -> Iterable[Any]: ...

    def remove(self, key: str) -> None: ...


@dataclass
class GCResult:
    blobs: list[str] = field(default_factory=list)
    snapshots: list[str] = field(default_factory=list)
    bytes_freed: int = 0


def kind_of(info: Any) -> str:
    """``committed``/``active``/``view`` whatever enum or string the snapshotter uses."""
    k = getattr(info, "kind", "")
    return str(getattr(k, "value", k)).lower().rsplit(".", 1)[-1]


def collect(db: MetadataDB, content: _Content, snapshots: _Snapshots | None, *,
            inflight_blobs: Iterable[str] = (), inflight_snapshots: Iterable[str] = ()
            ) -> GCResult:
    """Remove everything no root reaches; errors on single items are logged, not raised."""
    blob_roots, snap_roots = db.roots()
    blob_roots |= set(inflight_blobs)
    snap_roots |= set(inflight_snapshots)
    result = GCResult()
    for info in list(content.walk()):
        if str(info.digest) in blob_roots:
            continue
        try:
            content.delete(info.digest)
        except BerthError as e:
            log.warning("gc: keeping blob %s: %s", info.digest, e)
            continue
        result.blobs.append(str(info.digest))
        result.bytes_freed += int(info.size)
    if snapshots is not None:
        _sweep_snapshots(snapshots, snap_roots, result)
    return result


def _sweep_snapshots(snapshots: _Snapshots, roots: set[str], result: GCResult) -> None:
    infos = {_key(i): i for i in snapshots.walk()}
    # A root keeps its ancestors alive; so does any snapshot we may not remove.
    keep = set()
    for name, info in infos.items():
        if name in roots or not _ours(name, info):
            n: str | None = name
            while n and n not in keep:
                keep.add(n)
                parent = getattr(infos.get(n), "parent", None)
                n = str(parent) if parent else None
    doomed = [n for n in infos if n not in keep]
    # Children before parents: repeat until no progress.
    while doomed:
        progressed = False
        for name in list(doomed):
            if any(str(getattr(infos[c], "parent", "") or "") == name for c in doomed
                   if c != name):
                continue
            with contextlib.suppress(BerthError, OSError):
                snapshots.remove(name)
                result.snapshots.append(name)
            doomed.remove(name)
            progressed = True
        if not progressed:
            break


def _key(info: Any) -> str:
    """Snapshot infos name their key ``key`` (berth) or ``name`` (containerd)."""
    return str(getattr(info, "key", None) or info.name)


def _ours(name: str, info: Any) -> bool:
    """Committed layers and our own extraction leftovers; never others' active snapshots."""
    kind = kind_of(info)
    return kind == "committed" or name.startswith(EXTRACT_PREFIX)
