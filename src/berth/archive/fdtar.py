"""Tar a tree of an untrusted, possibly *live* filesystem by file descriptors only.

``write_tar`` walks path strings, which is fine for a snapshot nobody touches. A running
container can swap a directory for ``-> /`` between two of our calls, and a path-string
walk would then follow it into the host (CVE-2018-15664 in docker). Here every child is
reached from its parent's fd with ``O_NOFOLLOW``: stats are ``fstatat(AT_SYMLINK_NOFOLLOW)``,
files are opened ``O_NOFOLLOW|O_NONBLOCK`` and re-checked with ``fstat`` (a FIFO swapped in
never blocks us, a swapped type is skipped), xattrs and link texts are read through
``/proc/self/fd/<parent>/<name>`` without following the last component. A file that
shrinks while read is padded with zeros (GNU tar does the same) so the stream stays valid.
"""

from __future__ import annotations

import os
import stat
from typing import BinaryIO

from .tarinfo import LNK, REG, Entry
from .tarwrite import BLOCK, TarWriter, encode
from .walk import Links, to_entry

_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_CHUNK = 1 << 20


def write_tree_at(parent_fd: int, name: str, out: BinaryIO, rebase: str) -> None:
    """Tar ``name`` (relative to ``parent_fd``, never followed) and all below it.

    The entry for ``name`` itself is called ``rebase``; its children ``rebase/child``.
    """
    w = TarWriter(out)
    _emit(w, out, parent_fd, name, rebase, {})
    w.close()


def _join(rel: str, name: str) -> str:
    return f"{rel.rstrip('/')}/{name}" if rel else name


def _emit(w: TarWriter, out: BinaryIO, pfd: int, name: str, rel: str, links: Links) -> None:
    try:
        st = os.stat(name, dir_fd=pfd, follow_symlinks=False)
    except FileNotFoundError:
        return  # removed while we walked
    e = to_entry(f"/proc/self/fd/{pfd}/{name}", rel, st)
    if e is None:
        return
    if stat.S_ISDIR(st.st_mode):
        try:
            fd = os.open(name, _DIR, dir_fd=pfd)
        except OSError:
            return  # swapped for something else meanwhile
        try:
            if not _same(fd, st):
                return
            w.add(e)
            for child in sorted(os.listdir(fd)):
                _emit(w, out, fd, child, _join(rel, child), links)
        finally:
            os.close(fd)
        return
    if not stat.S_ISREG(st.st_mode):
        w.add(e)
        return
    if st.st_nlink > 1:
        first = links.get((st.st_dev, st.st_ino))
        if first is not None:
            e.type, e.linkname, e.size = LNK, first, 0
            w.add(e)
            return
        links[(st.st_dev, st.st_ino)] = rel
    try:
        fd = os.open(name, _FILE, dir_fd=pfd)
    except OSError:
        return
    try:
        if not _same(fd, st):
            return
        os.set_blocking(fd, True)
        e.type, e.size = REG, st.st_size
        _add_body(out, e, fd)
    finally:
        os.close(fd)


def _same(fd: int, st: os.stat_result) -> bool:
    now = os.fstat(fd)
    return (now.st_dev, now.st_ino, stat.S_IFMT(now.st_mode)) == \
        (st.st_dev, st.st_ino, stat.S_IFMT(st.st_mode))


def _add_body(out: BinaryIO, e: Entry, fd: int) -> None:
    """Header plus exactly ``e.size`` bytes: short reads are padded with zeros."""
    out.write(encode(e))
    left = e.size
    while left > 0:
        chunk = os.read(fd, min(left, _CHUNK))
        if not chunk:
            out.write(bytes(left))
            break
        out.write(chunk)
        left -= len(chunk)
    out.write(bytes(-e.size % BLOCK))
