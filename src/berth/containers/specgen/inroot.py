"""Read and create paths inside a container rootfs as if it were ``/``.

The rootfs is untrusted: ``/etc/passwd`` may be a symlink to ``/etc/shadow`` *of the
host* if followed naively. Paths are resolved with berth.archive's in-root resolution
(``follow_in_root``, ``open_dir_in_root``: openat2 RESOLVE_IN_ROOT, or an O_NOFOLLOW
walk where openat2 is missing), and the last step is always a no-follow call relative
to a directory fd, so nothing outside the rootfs is ever touched.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from berth.archive import follow_in_root, open_dir_in_root
from berth.errdefs import InvalidArgument

_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC | os.O_NOFOLLOW


def _open_root(root: Path) -> int:
    return os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)


def read_file(root: Path, rel: str, limit: int = 16 << 20) -> bytes | None:
    """Contents of regular file ``rel`` under ``root`` (symlinks resolved in-root), or None."""
    root_fd = _open_root(root)
    try:
        try:
            parent, _, name = follow_in_root(root_fd, "/" + rel.lstrip("/")).rpartition("/")
            dfd = open_dir_in_root(root_fd, parent)
        except (OSError, InvalidArgument):
            return None
        try:
            fd = os.open(name, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW, dir_fd=dfd)
        except OSError:
            return None
        finally:
            os.close(dfd)
        with os.fdopen(fd, "rb") as f:
            return f.read(limit)
    finally:
        os.close(root_fd)


def make_dirs(root: Path, rel: str) -> None:
    """``mkdir -p`` of ``rel`` inside ``root`` (docker creates a missing WorkingDir)."""
    root_fd = _open_root(root)
    try:
        path = follow_in_root(root_fd, "/" + rel.lstrip("/"))
        fd = os.dup(root_fd)
        try:
            for part in filter(None, path.split("/")):
                with contextlib.suppress(FileExistsError):
                    os.mkdir(part, 0o755, dir_fd=fd)
                nxt = os.open(part, _DIR, dir_fd=fd)  # a symlink raced in here fails
                os.close(fd)
                fd = nxt
        finally:
            os.close(fd)
    finally:
        os.close(root_fd)
