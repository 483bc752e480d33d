"""The snapshotter contract (containerd's ``snapshotter.go``, adapted).

A snapshotter hands out filesystem trees as *mount lists* and never mounts them itself.

Vocabulary: a *key* names an active snapshot or view; a *name* names a committed one (the
images service uses the layer chain ID ``sha256:…``, so layers are shared between images);
a *parent* is always committed. Lifecycle::

    prepare(key, parent) ──▶ ACTIVE ──commit(name, key)──▶ COMMITTED ──▶ usable as parent
    view(key, parent)    ──▶ VIEW (read-only; cannot be committed)
    remove(key|name)     ──▶ gone (Conflict while it has children)

Importing a layer: ``prepare("extract-<rand>", parent=chain[n-1])``, unpack the tar into
``upper_dir(key)`` with ``archive.apply_layer(..., whiteouts=s.whiteout_mode)``, then
``commit(chain[n], key)``; Conflict from commit means another unpack won: remove the key.
Running a container: ``mounts = prepare(container_id, parent=image_top_chain_id)``,
``mount_all(mounts, rootfs)``. Garbage collection walks ``walk()`` and calls ``remove``
leaves first.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal, Protocol

from berth.mount import Mount

WhiteoutMode = Literal["overlay", "remove"]


class Kind(enum.Enum):
    ACTIVE = "active"
    VIEW = "view"
    COMMITTED = "committed"


@dataclass(frozen=True)
class Info:
    """One snapshot as the metastore records it."""

    key: str
    kind: Kind
    parent: str | None
    labels: dict[str, str] = field(default_factory=dict)
    created: datetime | None = None
    updated: datetime | None = None


@dataclass(frozen=True)
class Usage:
    """Disk used by a snapshot's own layer (not its parents)."""

    size: int
    inodes: int


class Snapshotter(Protocol):
    """See the module docstring for the lifecycle."""

    whiteout_mode: WhiteoutMode

    def stat(self, key: str) -> Info: ...

    def prepare(self, key: str, parent: str | None = None,
                labels: Mapping[str, str] | None = None) -> list[Mount]: ...

    def view(self, key: str, parent: str | None = None,
             labels: Mapping[str, str] | None = None) -> list[Mount]: ...

    def mounts(self, key: str) -> list[Mount]: ...

    def commit(self, name: str, key: str, labels: Mapping[str, str] | None = None) -> None: ...

    def remove(self, key: str, *, durable: bool = True) -> None: ...

    def walk(self) -> Iterator[Info]: ...

    def usage(self, key: str) -> Usage: ...

    def update_labels(self, key: str, labels: Mapping[str, str | None]) -> Info: ...

    def upper_dir(self, key: str) -> Path: ...

    def close(self) -> None: ...
