"""``extract_tar``: unpack a user's tar (``docker cp`` into a container) below a directory.

Unlike a layer, a copied tar has no whiteouts (``.wh.x`` is an ordinary file) and lands
under ``dest`` *inside* an untrusted root. The machinery is :func:`apply_layer`'s: the
root fd is treated as ``/`` for every parent lookup (so a container's ``etc -> /host`` or
``x -> ../../..`` resolves inside the container, as moby's chroot'ed untar does), the last
component is created with no-follow ``*at`` calls, and entry names or hard-link targets
that climb above ``dest`` are refused naming the entry. ``no_overwrite_dir_non_dir``
refuses replacing a directory by a non-directory or the reverse (moby's flag of that name).
``owner`` forces one uid/gid on every entry (``copyUIDGID`` with a container user).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from berth.errdefs import BerthError, InvalidArgument

from .apply import _Applier, _os_error
from .paths import clean_name, split
from .stream import ChunkPipe
from .tarinfo import DIR, LNK, REG, Entry
from .tarread import TarReader


def extract_tar(stream: BinaryIO, root: Path | str, dest: str, *,
                no_overwrite_dir_non_dir: bool = False,
                owner: tuple[int, int] | None = None,
                use_openat2: bool | None = None) -> int:
    """Unpack ``stream`` (plain, gzip or zstd tar) into ``root``/``dest``; entry count."""
    pipe = ChunkPipe(stream, threaded=True)
    try:
        ex = _CopyApplier(Path(root), clean_name(dest), no_overwrite_dir_non_dir, owner,
                          use_openat2)
        try:
            reader = TarReader(iter(pipe))
            for entry in reader:
                ex.apply(entry, reader)
            reader.drain()
            ex.finish(False)
        finally:
            ex.close()
    finally:
        pipe.close()
    return ex.count


class _CopyApplier(_Applier):
    def __init__(self, root: Path, base: str, no_overwrite: bool,
                 owner: tuple[int, int] | None, use_openat2: bool | None) -> None:
        super().__init__(root, "remove", os.geteuid() == 0, "create", use_openat2)
        self.base, self.no_overwrite, self.owner = base, no_overwrite, owner

    def _full(self, name: str) -> str:
        rel = clean_name(name)  # refuses climbing above dest
        return f"{self.base}/{rel}" if self.base and rel else (self.base or rel)

    def apply(self, e: Entry, reader: TarReader) -> None:
        self.res.collect()
        self.count += 1
        full = self._full(e.name)
        if full == self.base:  # the destination itself (``./``): it exists already
            reader.skip_body(e.size if e.type == REG else 0)
            return
        if e.type == LNK:
            e.linkname = self._full(e.linkname)
        if self.owner is not None:
            e.uid, e.gid = self.owner
        parent, name = split(full)
        try:
            pfd = self.res.dir_fd(parent)
            if self.no_overwrite:
                self._check_overwrite(pfd, name, e)
            self._create(pfd, name, full, e, reader)
        except BerthError:
            raise
        except OSError as err:
            raise _os_error(e, err) from None

    def _check_overwrite(self, pfd: int, name: str, e: Entry) -> None:
        try:
            st = os.stat(name, dir_fd=pfd, follow_symlinks=False)
        except FileNotFoundError:
            return
        is_dir = stat.S_ISDIR(st.st_mode)
        if is_dir and e.type != DIR:
            raise InvalidArgument(
                f"cannot overwrite directory {name!r} with non-directory {e.name!r}")
        if not is_dir and e.type == DIR:
            raise InvalidArgument(
                f"cannot overwrite non-directory {name!r} with directory {e.name!r}")
