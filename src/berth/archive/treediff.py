"""``diff_trees``: the layer tar that turns full tree ``old`` into full tree ``new``.

Used by the copy-based snapshotter's commit. Both trees are walked together in name
order: what only ``new`` has is written (with its subtree), what only ``old`` has gets a
``.wh.`` marker, and what both have is written when type, mode, owner, size, mtime,
link target, device numbers or xattrs differ. Files whose metadata is equal but whose
mtime has no sub-second part (a coarse clock, or a copy that truncated it) are compared
byte for byte, as containerd's double walk does.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from berth.errdefs import NotFound

from .tarwrite import TarWriter
from .walk import Links, children, emit, emit_tree, join, read_xattrs
from .write import whiteout_entry

_CMP_CHUNK = 1 << 20


def diff_trees(old: Path, new: Path, out: BinaryIO) -> None:
    """Write to ``out`` a layer tar which, applied onto ``old``, yields ``new``."""
    for tree in (old, new):
        if not os.path.isdir(tree):
            raise NotFound(f"directory {tree} not found")
    w = TarWriter(out)
    _diff_dir(w, os.fspath(old), os.fspath(new), "", {})
    w.close()


def _diff_dir(w: TarWriter, old: str, new: str, rel: str, links: Links) -> None:
    before = {d.name: d for d in children(old)}
    after = {d.name: d for d in children(new)}
    for name in sorted(before.keys() | after.keys()):
        crel = join(rel, name)
        if name not in after:
            w.add(whiteout_entry(rel, name))
            continue
        npath = after[name].path
        if name not in before:
            emit_tree(w, npath, crel, links)
            continue
        ost = before[name].stat(follow_symlinks=False)
        nst = after[name].stat(follow_symlinks=False)
        both_dirs = stat.S_ISDIR(ost.st_mode) and stat.S_ISDIR(nst.st_mode)
        if both_dirs:
            if not _same(before[name].path, npath, ost, nst):
                emit(w, npath, crel, nst, links)
            _diff_dir(w, before[name].path, npath, crel, links)
        elif not _same(before[name].path, npath, ost, nst):
            emit_tree(w, npath, crel, links)


def _same(opath: str, npath: str, a: os.stat_result, b: os.stat_result) -> bool:
    if (a.st_mode, a.st_uid, a.st_gid) != (b.st_mode, b.st_uid, b.st_gid):
        return False
    if a.st_mtime_ns != b.st_mtime_ns and not stat.S_ISDIR(a.st_mode):
        return False
    if stat.S_ISDIR(a.st_mode) and a.st_mtime_ns // 10**9 != b.st_mtime_ns // 10**9:
        return False
    if stat.S_ISLNK(a.st_mode) and os.readlink(opath) != os.readlink(npath):
        return False
    if (stat.S_ISCHR(a.st_mode) or stat.S_ISBLK(a.st_mode)) and a.st_rdev != b.st_rdev:
        return False
    if stat.S_ISREG(a.st_mode) and a.st_size != b.st_size:
        return False
    if read_xattrs(opath) != read_xattrs(npath):
        return False
    if stat.S_ISREG(a.st_mode) and b.st_mtime_ns % 10**9 == 0:
        return _same_content(opath, npath)
    return True


def _same_content(a: str, b: str) -> bool:
    with open(a, "rb", buffering=0) as fa, open(b, "rb", buffering=0) as fb:
        while True:
            ca, cb = fa.read(_CMP_CHUNK), fb.read(_CMP_CHUNK)
            if ca != cb:
                return False
            if not ca:
                return True
