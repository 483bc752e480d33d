"""``NativeSnapshotter``: every snapshot is a full copy of its parent; mounts are binds.

Slow and disk-hungry, but needs no overlayfs (nested containers, odd filesystems). Layers
are applied with whiteouts *removed* because there is no lower layer to hide.
"""

from __future__ import annotations

from pathlib import Path

from berth.mount import Mount
from berth.snapshots._base import DirSnapshotter
from berth.snapshots._fsops import copy_tree
from berth.snapshots.snapshotter import Kind, WhiteoutMode


class NativeSnapshotter(DirSnapshotter):
    """Copy-based snapshotter (``cp -a --reflink=auto``)."""

    whiteout_mode: WhiteoutMode = "remove"

    def _populate(self, new: Path, kind: Kind, parents: list[Path]) -> None:
        if parents:
            copy_tree(parents[0], new / "fs")
        else:
            (new / "fs").mkdir(0o755)

    def _mounts(self, kind: Kind, fs: Path, parents: list[Path]) -> list[Mount]:
        return [Mount("bind", str(fs), ["rbind", "ro" if kind is Kind.VIEW else "rw"])]
