"""``apply_layer``: unpack one (possibly compressed) layer tar into a directory, safely.

Entries are applied in stream order; a later entry replaces an earlier one, except that a
directory over a directory keeps its contents. Parents are opened confined to the target
(see :mod:`._resolve`), the final component is created with no-follow ``*at`` calls (see
:mod:`._create`), whiteouts follow :mod:`.whiteouts`, and directory mtimes are set last.
The uncompressed stream is hashed while it is read: ``ApplyResult.digest`` is the diff_id.

On error the target is left part-written: callers extract into a scratch snapshot and
discard it on failure (containerd's prepare → apply → commit/remove), so nothing
half-applied is ever committed.
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

from berth.errdefs import BerthError, InvalidArgument, PermissionDenied, Unavailable
from berth.oci.digest import Digest
from berth.sys._libc import check, libc

from . import _create
from ._resolve import DirResolver
from .compression import Compression
from .paths import clean_name, split
from .stream import ChunkPipe
from .tarinfo import BLK, CHR, DIR, FIFO, LNK, REG, SYM, Entry
from .tarread import TarReader
from .whiteouts import (
    META_PREFIX,
    OPAQUE,
    PREFIX,
    OverlayWhiteouts,
    RemoveWhiteouts,
    whited_name,
)

WhiteoutMode = Literal["overlay", "remove"]
DeviceMode = Literal["create", "skip"]


@dataclass(frozen=True)
class ApplyResult:
    digest: Digest  # sha256 of the uncompressed tar stream: the layer's diff_id
    size: int  # bytes of uncompressed tar
    compression: Compression
    entries: int


def apply_layer(stream: BinaryIO, target: Path, *, whiteouts: WhiteoutMode,
                chown: bool | None = None, devices: DeviceMode = "create",
                sync: bool = False, threaded: bool = True,
                use_openat2: bool | None = None) -> ApplyResult:
    """Unpack ``stream`` (gzip, zstd or plain tar) into the existing directory ``target``.

    ``chown`` defaults to "am I root"; ``devices="skip"`` drops char/block nodes (rootless);
    ``sync`` calls syncfs on the target before returning.
    """
    if whiteouts not in ("overlay", "remove"):
        raise InvalidArgument(f"whiteouts must be 'overlay' or 'remove', not {whiteouts!r}")
    pipe = ChunkPipe(stream, threaded=threaded)
    try:
        applier = _Applier(target, whiteouts, os.geteuid() == 0 if chown is None else chown,
                           devices, use_openat2)
        try:
            reader = TarReader(iter(pipe))
            for entry in reader:
                applier.apply(entry, reader)
            reader.drain()
            applier.finish(sync)
        finally:
            applier.close()
    finally:
        pipe.close()
    return ApplyResult(pipe.digest, pipe.size, pipe.compression, applier.count)


class _Applier:
    def __init__(self, target: Path, whiteouts: WhiteoutMode, chown: bool,
                 devices: DeviceMode, use_openat2: bool | None) -> None:
        try:
            self.res = DirResolver(target, use_openat2=use_openat2)
        except OSError as e:
            raise InvalidArgument(f"layer target {target}: {e.strerror}") from None
        self.wh = OverlayWhiteouts(self.res) if whiteouts == "overlay" else \
            RemoveWhiteouts(self.res)
        self.meta = _create.Meta(chown)
        self.devices = devices
        self.dir_times: list[tuple[str, int]] = []
        self.count = 0

    def close(self) -> None:
        self.res.close()

    def forget(self, rel: str, is_dir: bool) -> None:
        self.res.forget(rel, is_dir=is_dir)

    def apply(self, e: Entry, reader: TarReader) -> None:
        self.res.collect()  # between entries no resolver fd is held
        self.count += 1
        rel = clean_name(e.name)
        parent, base = split(rel)
        try:
            if base.startswith(PREFIX):
                reader.skip_body(e.size if e.type == REG else 0)
                self._whiteout(parent, base, e)
            elif not rel:
                reader.skip_body(e.size if e.type == REG else 0)
                self._root(e)
            else:
                self._create(self.res.dir_fd(parent), base, rel, e, reader)
                if isinstance(self.wh, RemoveWhiteouts):
                    self.wh.created(rel)
        except BerthError:
            raise
        except OSError as err:
            raise _os_error(e, err) from None

    def _whiteout(self, parent: str, base: str, e: Entry) -> None:
        if base == OPAQUE:
            self.wh.opaque(parent)
        elif not base.startswith(META_PREFIX):
            name = whited_name(base, e.name)
            self.wh.whiteout(parent, name, f"{parent}/{name}" if parent else name)

    def _root(self, e: Entry) -> None:
        if e.type != DIR:
            raise InvalidArgument(f"tar entry {e.name!r}: the layer root must be a directory")
        self.meta.on_fd(self.res.root_fd, e, times=False)
        self.dir_times.append(("", e.mtime_ns))

    def _create(self, pfd: int, base: str, rel: str, e: Entry, reader: TarReader) -> None:
        kind = e.type
        if kind == REG:
            fd = _create.open_new_file(pfd, base, rel, self.forget)
            try:
                reader.copy_to_fd(fd, e.size)
                self.meta.on_fd(fd, e)
            finally:
                os.close(fd)
            return
        reader.skip_body(e.size if kind not in (DIR, SYM, LNK, CHR, BLK, FIFO) else 0)
        if kind == DIR:
            _create.make_dir(pfd, base, rel, self.forget)
            self.wh.replaced_by_dir(rel)
            self.meta.on_name(pfd, base, e, chmod=True, times=False)
            self.dir_times.append((rel, e.mtime_ns))
        elif kind == SYM:
            _create.make_symlink(pfd, base, rel, e.linkname, self.forget)
            self.meta.on_name(pfd, base, e, chmod=False, times=True)
        elif kind == LNK:
            self._hardlink(pfd, base, rel, e)
        elif kind in (CHR, BLK, FIFO):
            if kind != FIFO and self.devices == "skip":
                return
            _create.make_node(pfd, base, rel, e, self.forget)
            self.meta.on_name(pfd, base, e, chmod=True, times=True)
        else:
            raise InvalidArgument(f"tar entry {e.name!r}: unsupported entry type {kind!r}")

    def _hardlink(self, pfd: int, base: str, rel: str, e: Entry) -> None:
        src = clean_name(e.linkname)
        if src == rel:
            return  # a link to itself: nothing to do
        if not src:
            raise InvalidArgument(f"tar entry {e.name!r}: hard link to the layer root")
        sparent, sbase = split(src)
        spfd = self.res.lookup(sparent)
        if spfd is None:
            raise InvalidArgument(
                f"tar entry {e.name!r}: hard link target {e.linkname!r} is not in the layer")
        _create.make_hardlink(spfd, sbase, pfd, base, rel, e, self.forget)

    def finish(self, sync: bool) -> None:
        """Set directory mtimes now that nothing more will be written into them."""
        for rel, mtime in self.dir_times:
            self.res.collect()
            parent, base = split(rel)
            try:
                if not rel:
                    os.utime(self.res.root_fd, ns=(mtime, mtime))
                    continue
                pfd = self.res.lookup(parent)
                if pfd is not None:
                    os.utime(base, ns=(mtime, mtime), dir_fd=pfd, follow_symlinks=False)
            except (FileNotFoundError, InvalidArgument):
                continue  # removed or replaced later in the layer
        if sync:
            check(libc.syncfs(self.res.root_fd), "syncfs")


def _os_error(e: Entry, err: OSError) -> BerthError:
    msg = f"tar entry {e.name!r}: {err.strerror or err}"
    if err.errno in (errno.ENOSPC, errno.EDQUOT, errno.EMFILE, errno.ENFILE):
        return Unavailable(msg)
    if err.errno in (errno.EPERM, errno.EACCES, errno.EROFS):
        return PermissionDenied(msg)
    return InvalidArgument(msg)
