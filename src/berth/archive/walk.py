"""Turn files on disk into tar entries: lstat → :class:`Entry`, hard links by inode.

Shared by every writer (whole trees, overlay diffs, tree diffs). Nothing here follows a
symlink: stats are ``lstat``, files are opened ``O_NOFOLLOW``, xattrs read with
``follow_symlinks=False``. Sockets are skipped (they cannot live in a tar), and overlayfs'
own xattrs are never written out.
"""

from __future__ import annotations

import errno
import os
import stat

from .tarinfo import BLK, CHR, DIR, FIFO, LNK, REG, SYM, Entry
from .tarwrite import TarWriter

_SKIPPED_XATTRS = ("trusted.overlay.", "user.overlay.")
_KINDS = {stat.S_IFREG: REG, stat.S_IFDIR: DIR, stat.S_IFLNK: SYM, stat.S_IFCHR: CHR,
          stat.S_IFBLK: BLK, stat.S_IFIFO: FIFO}
Links = dict[tuple[int, int], str]


def read_xattrs(path: str) -> dict[str, bytes]:
    """All xattrs of ``path`` (not following a symlink) that belong in a layer."""
    try:
        names = os.listxattr(path, follow_symlinks=False)
    except OSError as e:
        if e.errno in (errno.ENOTSUP, errno.EOPNOTSUPP):
            return {}
        raise
    out: dict[str, bytes] = {}
    for name in sorted(names):
        if name.startswith(_SKIPPED_XATTRS):
            continue
        try:
            out[name] = os.getxattr(path, name, follow_symlinks=False)
        except OSError as e:
            if e.errno != errno.ENODATA:
                raise
    return out


def to_entry(path: str, rel: str, st: os.stat_result) -> Entry | None:
    """The tar entry for a file with stat ``st`` (None for sockets)."""
    kind = _KINDS.get(stat.S_IFMT(st.st_mode))
    if kind is None:
        return None
    e = Entry(rel + "/" if kind == DIR else rel, kind, mode=stat.S_IMODE(st.st_mode),
              uid=st.st_uid, gid=st.st_gid, size=st.st_size if kind == REG else 0,
              mtime_ns=(st.st_mtime_ns // 10**9) * 10**9, xattrs=read_xattrs(path))
    if kind == SYM:
        e.linkname = os.readlink(path)
    elif kind in (CHR, BLK):
        e.devmajor, e.devminor = os.major(st.st_rdev), os.minor(st.st_rdev)
    return e


def emit(w: TarWriter, path: str, rel: str, st: os.stat_result, links: Links) -> bool:
    """Write one file (not its children); False when it cannot go in a tar (a socket)."""
    e = to_entry(path, rel, st)
    if e is None:
        return False
    if e.type == REG and st.st_nlink > 1:
        key = (st.st_dev, st.st_ino)
        first = links.get(key)
        if first is not None:
            e.type, e.linkname, e.size = LNK, first, 0
            w.add(e)
            return True
        links[key] = rel
    if e.type != REG or e.size == 0:
        w.add(e)
        return True
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        w.add_file(e, fd)
    finally:
        os.close(fd)
    return True


def children(path: str) -> list[os.DirEntry[str]]:
    """Directory entries sorted by name: every writer emits in this one order."""
    with os.scandir(path) as it:
        return sorted(it, key=lambda d: d.name)


def join(rel: str, name: str) -> str:
    return f"{rel}/{name}" if rel else name


def emit_tree(w: TarWriter, path: str, rel: str, links: Links) -> None:
    """``path`` and, if it is a directory, everything below it, parents first."""
    st = os.lstat(path)
    if not emit(w, path, rel, st, links) or not stat.S_ISDIR(st.st_mode):
        return
    for child in children(path):
        emit_tree(w, child.path, join(rel, child.name), links)
