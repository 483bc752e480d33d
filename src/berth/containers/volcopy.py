"""Volume contents from the image (copy-up) and ``volume-subpath`` sources, confined.

Copy-up is docker's ``CopyImagePathContent``: when a volume is empty and the image has a
directory at the mount point, its tree (owners, modes, xattrs, symlinks, hard links) goes
into the volume, and the directory's own owner, mode and xattrs onto the volume root.
The image path is resolved inside the rootfs (``/data -> /etc`` means the image's /etc,
never the host's) and tarred by fds only (``write_tree_at``) into ``extract_tar``, which
in turn confines every entry to the volume: berth's one walker, used both ways.

A subpath is resolved inside the volume and bind-mounted by its fd onto a private mount
point, so a container swapping a path component for a symlink afterwards cannot redirect
the runtime's bind (moby's safepath).
"""

from __future__ import annotations

import contextlib
import os
import stat
import threading
from pathlib import Path

from berth._util.fsutil import remove_tree
from berth.archive import extract_tar, follow_in_root, open_dir_in_root, write_tree_at
from berth.errdefs import InvalidArgument
from berth.sys import mount as m

_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC


def copy_up(rootfs: Path, dest: str, volume: str) -> bool:
    """Copy the image's ``dest`` into the empty directory ``volume``; True if it did."""
    if os.listdir(volume):
        return False
    root_fd = os.open(rootfs, _DIR)
    try:
        parent, _, name = follow_in_root(root_fd, dest).rpartition("/")
        if not name:
            return False
        try:
            pfd = open_dir_in_root(root_fd, parent)
        except (FileNotFoundError, NotADirectoryError):
            return False
    finally:
        os.close(root_fd)
    try:
        try:
            st = os.stat(name, dir_fd=pfd, follow_symlinks=False)
        except FileNotFoundError:
            return False
        if not stat.S_ISDIR(st.st_mode):
            return False
        try:
            _pipe_tree(pfd, name, volume)
        except BaseException:
            _empty(volume)
            raise
        _copy_root_attrs(pfd, name, st, volume)
        return True
    finally:
        os.close(pfd)


def _pipe_tree(pfd: int, name: str, volume: str) -> None:
    r, w = os.pipe()
    failed: list[BaseException] = []

    def produce() -> None:
        try:
            with os.fdopen(w, "wb") as out:
                write_tree_at(pfd, name, out, ".")
        except BrokenPipeError:
            pass  # the reader gave up; its error is the one to report
        except BaseException as e:
            failed.append(e)

    t = threading.Thread(target=produce, name="volume-copy-up", daemon=True)
    t.start()
    try:
        with os.fdopen(r, "rb") as inp:
            extract_tar(inp, volume, "/")
    finally:
        t.join()
    if failed:
        raise failed[0]


def _copy_root_attrs(pfd: int, name: str, st: os.stat_result, volume: str) -> None:
    os.chown(volume, st.st_uid, st.st_gid)
    os.chmod(volume, stat.S_IMODE(st.st_mode))
    src = f"/proc/self/fd/{pfd}/{name}"
    with contextlib.suppress(OSError):
        for key in os.listxattr(src, follow_symlinks=False):
            with contextlib.suppress(OSError):
                os.setxattr(volume, key, os.getxattr(src, key, follow_symlinks=False))


def _empty(volume: str) -> None:
    """Undo a failed copy-up: the volume was empty before it started."""
    for child in os.listdir(volume):
        path = os.path.join(volume, child)
        if os.path.isdir(path) and not os.path.islink(path):
            remove_tree(Path(path))
        else:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)


def mount_subpath(volume: str, sub: str, target: Path) -> None:
    """Bind ``volume``/``sub`` (resolved inside the volume; must exist) onto ``target``."""
    vfd = os.open(volume, _DIR)
    try:
        resolved = follow_in_root(vfd, "/" + sub)
        parent, _, name = resolved.rpartition("/")
        try:
            pfd = open_dir_in_root(vfd, parent)
        except OSError as e:
            raise _no_access(volume, sub, e) from None
        try:
            fd = os.open(name or ".", os.O_PATH | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=pfd)
        except OSError as e:
            raise _no_access(volume, sub, e) from None
        finally:
            os.close(pfd)
    finally:
        os.close(vfd)
    try:
        is_dir = stat.S_ISDIR(os.fstat(fd).st_mode)
        target.parent.mkdir(parents=True, exist_ok=True)
        if is_dir:
            target.mkdir(exist_ok=True)
        else:
            target.touch(exist_ok=True)
        m.mount(f"/proc/self/fd/{fd}", str(target), None, m.MS_BIND)
    finally:
        os.close(fd)


def _no_access(volume: str, sub: str, e: OSError) -> InvalidArgument:
    return InvalidArgument(f"cannot access path {volume.rstrip('/')}/{sub}: "
                           f"{(e.strerror or str(e)).lower()}")


def unmount_subpath(target: Path) -> None:
    with contextlib.suppress(OSError):
        m.umount(str(target), m.MNT_DETACH)
    with contextlib.suppress(OSError):
        if target.is_dir():
            target.rmdir()
        else:
            target.unlink()
