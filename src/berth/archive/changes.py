"""``docker diff``: what an overlay upper dir changed relative to its lower layers.

Kinds are docker's: 0 modified (``C``), 1 added (``A``), 2 deleted (``D``). As in moby,
the parent of an added or deleted path is reported modified, and a directory present
above and below with equal mode/owner/mtime is not reported itself (only what changed
inside it). Paths are absolute (``/etc/passwd``) and the list is sorted by path.
"""

from __future__ import annotations

import enum
import os
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from berth.errdefs import NotFound

from .walk import children, join
from .write import is_opaque, is_overlay_whiteout


class ChangeKind(enum.IntEnum):
    MODIFIED = 0
    ADDED = 1
    DELETED = 2


class Change(NamedTuple):
    kind: ChangeKind
    path: str


def changes(lower_dirs: Sequence[Path], upper: Path) -> list[Change]:
    """Changes in ``upper`` over ``lower_dirs`` (topmost lower first, as overlay lists them)."""
    if not os.path.isdir(upper):
        raise NotFound(f"overlay upper dir {upper} not found")
    found: dict[str, ChangeKind] = {}
    _walk(os.fspath(upper), "", [os.fspath(d) for d in lower_dirs], found)
    return [Change(kind, "/" + rel) for rel, kind in sorted(found.items())]


def _lower_stat(lowers: list[str], rel: str) -> os.stat_result | None:
    """The topmost lower's view of ``rel`` (None if absent or whited out there)."""
    for lower in lowers:
        try:
            st = os.lstat(os.path.join(lower, rel))
        except (FileNotFoundError, NotADirectoryError):
            continue
        return None if is_overlay_whiteout(st) else st
    return None


def _same_dir(a: os.stat_result, b: os.stat_result) -> bool:
    return (stat.S_ISDIR(a.st_mode) and stat.S_ISDIR(b.st_mode) and a.st_mode == b.st_mode
            and a.st_uid == b.st_uid and a.st_gid == b.st_gid
            and a.st_mtime_ns // 10**9 == b.st_mtime_ns // 10**9)


def _record(found: dict[str, ChangeKind], rel: str, kind: ChangeKind) -> None:
    found[rel] = kind
    if kind is not ChangeKind.MODIFIED:
        parent = rel.rpartition("/")[0]
        if parent:
            found.setdefault(parent, ChangeKind.MODIFIED)


def _walk(path: str, rel: str, lowers: list[str], found: dict[str, ChangeKind]) -> None:
    for child in children(path):
        crel = join(rel, child.name)
        st = child.stat(follow_symlinks=False)
        if is_overlay_whiteout(st):
            if _lower_stat(lowers, crel) is not None:
                _record(found, crel, ChangeKind.DELETED)
            continue
        below = _lower_stat(lowers, crel)
        opaque = stat.S_ISDIR(st.st_mode) and is_opaque(child.path)
        if below is None:
            _record(found, crel, ChangeKind.ADDED)
        elif opaque or not _same_dir(st, below):
            _record(found, crel, ChangeKind.MODIFIED)
        if stat.S_ISDIR(st.st_mode):
            if opaque and below is not None and stat.S_ISDIR(below.st_mode):
                _hidden(child.path, crel, lowers, found)
            _walk(child.path, crel, lowers, found)


def _hidden(path: str, rel: str, lowers: list[str], found: dict[str, ChangeKind]) -> None:
    """Children of the lower dirs that an opaque upper dir hides: deleted."""
    names: set[str] = set()
    for lower in lowers:
        try:
            names.update(os.listdir(os.path.join(lower, rel)))
        except (FileNotFoundError, NotADirectoryError):
            continue
    for name in sorted(names):
        crel = join(rel, name)
        if not os.path.lexists(os.path.join(path, name)) and \
                _lower_stat(lowers, crel) is not None:
            _record(found, crel, ChangeKind.DELETED)
