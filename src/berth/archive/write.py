"""Writing layer tars: a whole tree, or an overlayfs upper dir converted to OCI whiteouts.

Both are deterministic (sorted, whole-second mtimes, no user names) so committing the
same change twice gives the same diff_id. The root directory itself is not an entry.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import BinaryIO

from berth.errdefs import InvalidArgument, NotFound, NotImplementedYet

from .paths import clean_name
from .tarinfo import REG, Entry
from .tarwrite import TarWriter
from .walk import Links, children, emit, emit_tree, join
from .whiteouts import OPAQUE, OPAQUE_XATTR, PREFIX

_OVERLAY_UNSUPPORTED = ("trusted.overlay.redirect", "trusted.overlay.metacopy")


def write_tar(root: Path, out: BinaryIO, *, paths: Iterable[str] | None = None) -> None:
    """Tar ``root``'s contents (or only ``paths`` below it, each with its subtree)."""
    w = TarWriter(out)
    links: Links = {}
    base = os.fspath(root)
    if not os.path.isdir(base):
        raise NotFound(f"directory {root} not found")
    if paths is None:
        for child in children(base):
            emit_tree(w, child.path, child.name, links)
    else:
        for rel in sorted({clean_name(p) for p in paths}):
            if not rel:
                raise InvalidArgument("write_tar: use paths=None to archive the whole root")
            full = os.path.join(base, rel)
            if not os.path.lexists(full):
                raise NotFound(f"{rel}: no such file in {root}")
            emit_tree(w, full, rel, links)
    w.close()


def whiteout_entry(rel_parent: str, name: str, st: os.stat_result | None = None) -> Entry:
    """The ``.wh.<name>`` marker (an empty regular file) for a deleted ``name``."""
    e = Entry(join(rel_parent, PREFIX + name), REG, mode=0)
    if st is not None:
        e.mode, e.uid, e.gid = stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid
        e.mtime_ns = (st.st_mtime_ns // 10**9) * 10**9
    return e


def is_overlay_whiteout(st: os.stat_result) -> bool:
    return stat.S_ISCHR(st.st_mode) and st.st_rdev == 0


def is_opaque(path: str) -> bool:
    try:
        return os.getxattr(path, OPAQUE_XATTR, follow_symlinks=False) == b"y"
    except OSError:
        return False


def write_overlay_diff(upper: Path, out: BinaryIO, *,
                       exclude: Collection[str] = ()) -> None:
    """Tar an overlay upper dir as an OCI layer: 0/0 char devs and opaque dirs → whiteouts.

    ``exclude`` names relative paths left out with their subtrees (a container's runtime
    mount points, which docker keeps in a separate init layer).
    """
    w = TarWriter(out)
    base = os.fspath(upper)
    if not os.path.isdir(base):
        raise NotFound(f"overlay upper dir {upper} not found")
    if is_opaque(base):
        w.add(Entry(OPAQUE, REG, mode=0))
    _overlay_dir(w, base, "", {}, frozenset(exclude))
    w.close()


def _overlay_dir(w: TarWriter, path: str, rel: str, links: Links,
                 exclude: frozenset[str] = frozenset()) -> None:
    for child in children(path):
        crel = join(rel, child.name)
        if crel in exclude:
            continue
        st = child.stat(follow_symlinks=False)
        if is_overlay_whiteout(st):
            w.add(whiteout_entry(rel, child.name, st))
            continue
        _refuse_unsupported(child.path, crel)
        if not emit(w, child.path, crel, st, links) or not stat.S_ISDIR(st.st_mode):
            continue
        if is_opaque(child.path):
            w.add(Entry(join(crel, OPAQUE), REG, mode=0))
        _overlay_dir(w, child.path, crel, links, exclude)


def _refuse_unsupported(path: str, rel: str) -> None:
    try:
        names = os.listxattr(path, follow_symlinks=False)
    except OSError:
        return
    for key in _OVERLAY_UNSUPPORTED:
        if key in names:
            raise NotImplementedYet(
                f"{rel}: overlay {key.rsplit('.', 1)[1]} entries; mount overlay with "
                "redirect_dir=off,metacopy=off to commit it")
