"""``OverlaySnapshotter``: each snapshot is an overlay upper dir; parents are lower dirs.

Mounts (containerd's overlay snapshotter):

- active, no parent: ``bind`` of ``fs`` (rw)
- active with parents: ``overlay`` with ``upperdir=fs``, ``workdir=work``, ``lowerdir=`` the
  parents newest first (``berth.mount`` copes with lists longer than a page)
- view, one parent: read-only ``bind`` of the parent's ``fs``
- view, many parents: ``overlay`` with ``lowerdir`` only (read-only by construction)
"""

from __future__ import annotations

from pathlib import Path

from berth.errdefs import InvalidArgument
from berth.mount import Mount
from berth.snapshots._base import DirSnapshotter
from berth.snapshots._fsops import copy_root_attrs
from berth.snapshots.snapshotter import Kind, WhiteoutMode


class OverlaySnapshotter(DirSnapshotter):
    """Layers share disk: a child stores only its diff; whiteouts are overlay's (0/0 chardevs)."""

    whiteout_mode: WhiteoutMode = "overlay"

    def __init__(self, root: Path) -> None:
        if any(c in str(Path(root).absolute()) for c in ",:"):
            raise InvalidArgument(f"overlay snapshotter root {root}: ',' and ':' are not allowed")
        super().__init__(root)

    def _populate(self, new: Path, kind: Kind, parents: list[Path]) -> None:
        (new / "fs").mkdir(0o755)
        if kind is Kind.ACTIVE:
            (new / "work").mkdir(0o711)
        if parents:
            copy_root_attrs(parents[0], new / "fs")

    def _mounts(self, kind: Kind, fs: Path, parents: list[Path]) -> list[Mount]:
        ro = kind is Kind.VIEW
        if not parents:
            return [Mount("bind", str(fs), ["rbind", "ro" if ro else "rw"])]
        if ro and len(parents) == 1:
            return [Mount("bind", str(parents[0]), ["rbind", "ro"])]
        lower = "lowerdir=" + ":".join(str(p) for p in parents)
        if ro:
            return [Mount("overlay", "overlay", ["index=off", lower])]
        return [Mount("overlay", "overlay", [
            "index=off", f"workdir={fs.parent / 'work'}", f"upperdir={fs}", lower])]
