"""Create one tar entry relative to its parent directory fd, never following the last link.

Every call here is an ``*at`` call on ``(parent_fd, base)`` with no-follow semantics
(``O_CREAT|O_EXCL|O_NOFOLLOW``, ``mkdirat``, ``symlinkat``, ``mknodat``, ``linkat`` without
``AT_SYMLINK_FOLLOW``, ``fchownat(AT_SYMLINK_NOFOLLOW)``), so a symlink planted by an earlier
entry is replaced, never written through. Ownership is set before mode and xattrs because
chown clears setuid bits and ``security.capability``.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
from collections.abc import Callable

from berth.errdefs import InvalidArgument, PermissionDenied

from .tarinfo import Entry

_FILE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
_SKIPPED_XATTRS = ("trusted.overlay.", "user.overlay.")  # would steer overlayfs itself
Forget = Callable[[str, bool], None]


class Meta:
    """How ownership and xattrs are applied for one extraction."""

    def __init__(self, chown: bool) -> None:
        self.chown = chown

    def on_fd(self, fd: int, e: Entry, *, times: bool = True) -> None:
        if self.chown:
            os.fchown(fd, e.uid, e.gid)
        os.fchmod(fd, e.mode)
        for key, value in e.xattrs.items():
            self._setxattr(fd, key, value, e, follow=True)
        if times:
            os.utime(fd, ns=(e.mtime_ns, e.mtime_ns))

    def on_name(self, pfd: int, base: str, e: Entry, *, chmod: bool, times: bool) -> None:
        if self.chown:
            os.chown(base, e.uid, e.gid, dir_fd=pfd, follow_symlinks=False)
        if chmod:
            _chmod_nofollow(pfd, base, e.mode)
        if e.xattrs:
            path = f"/proc/self/fd/{pfd}/{base}"
            for key, value in e.xattrs.items():
                self._setxattr(path, key, value, e, follow=False)
        if times:
            os.utime(base, ns=(e.mtime_ns, e.mtime_ns), dir_fd=pfd, follow_symlinks=False)

    def _setxattr(self, target: int | str, key: str, value: bytes, e: Entry,
                  *, follow: bool) -> None:
        if key.startswith(_SKIPPED_XATTRS):
            return
        try:
            os.setxattr(target, key, value, follow_symlinks=follow)
        except OSError as err:
            if err.errno in (errno.ENOTSUP, errno.EOPNOTSUPP):
                return  # the filesystem cannot hold it (docker skips these too)
            if err.errno in (errno.EPERM, errno.EACCES) and (
                    not self.chown or (not follow and key.startswith("user."))):
                return  # unprivileged: no trusted.*/security.*; user.* never on links/nodes
            raise PermissionDenied(
                f"tar entry {e.name!r}: setting xattr {key}: {err.strerror}") from None


def _chmod_nofollow(pfd: int, base: str, mode: int) -> None:
    """chmod that never follows a link: the node may have been swapped for a symlink by
    a running container (``docker cp`` into it) since we created it."""
    fd = os.open(base, os.O_PATH | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=pfd)
    try:
        if not stat.S_ISLNK(os.fstat(fd).st_mode):
            os.chmod(f"/proc/self/fd/{fd}", mode)
    finally:
        os.close(fd)


def remove(pfd: int, base: str, rel: str, forget: Forget) -> bool:
    """Delete whatever ``base`` is (a tree, without following links); False if absent."""
    try:
        st = os.lstat(base, dir_fd=pfd)
    except FileNotFoundError:
        return False
    if stat.S_ISDIR(st.st_mode):
        forget(rel, True)
        shutil.rmtree(base, dir_fd=pfd)
    else:
        if stat.S_ISLNK(st.st_mode):
            forget(rel, False)
        os.unlink(base, dir_fd=pfd)
    return True


def make_dir(pfd: int, base: str, rel: str, forget: Forget) -> bool:
    """mkdir, keeping an existing directory; True when the directory is new."""
    try:
        os.mkdir(base, 0o700, dir_fd=pfd)
        return True
    except FileExistsError:
        if stat.S_ISDIR(os.lstat(base, dir_fd=pfd).st_mode):
            return False
    remove(pfd, base, rel, forget)
    os.mkdir(base, 0o700, dir_fd=pfd)
    return True


def open_new_file(pfd: int, base: str, rel: str, forget: Forget) -> int:
    try:
        return os.open(base, _FILE_FLAGS, 0o600, dir_fd=pfd)
    except FileExistsError:
        remove(pfd, base, rel, forget)
        return os.open(base, _FILE_FLAGS, 0o600, dir_fd=pfd)


def _replacing(create: Callable[[], None], pfd: int, base: str, rel: str,
               forget: Forget) -> None:
    try:
        create()
    except FileExistsError:
        remove(pfd, base, rel, forget)
        create()


def make_symlink(pfd: int, base: str, rel: str, target: str, forget: Forget) -> None:
    _replacing(lambda: os.symlink(target, base, dir_fd=pfd), pfd, base, rel, forget)


def make_node(pfd: int, base: str, rel: str, e: Entry, forget: Forget) -> None:
    """A char/block device or fifo; EPERM becomes PermissionDenied naming the entry."""
    if e.type == "6":
        def create() -> None:
            os.mkfifo(base, 0o600, dir_fd=pfd)
    else:
        kind = stat.S_IFCHR if e.type == "3" else stat.S_IFBLK
        dev = os.makedev(e.devmajor, e.devminor)

        def create() -> None:
            os.mknod(base, kind | 0o600, dev, dir_fd=pfd)
    try:
        _replacing(create, pfd, base, rel, forget)
    except PermissionError as err:
        raise PermissionDenied(
            f"tar entry {e.name!r}: cannot create device node: {err.strerror} "
            "(extract with devices='skip' when unprivileged)") from None


def make_hardlink(src_pfd: int, src_base: str, pfd: int, base: str, rel: str, e: Entry,
                  forget: Forget) -> None:
    """linkat without AT_SYMLINK_FOLLOW: a link to a symlink links the symlink itself."""
    def create() -> None:
        os.link(src_base, base, src_dir_fd=src_pfd, dst_dir_fd=pfd, follow_symlinks=False)
    try:
        _replacing(create, pfd, base, rel, forget)
    except FileNotFoundError:
        raise InvalidArgument(
            f"tar entry {e.name!r}: hard link target {e.linkname!r} is not in the layer"
        ) from None
    except PermissionError:
        raise InvalidArgument(
            f"tar entry {e.name!r}: hard link target {e.linkname!r} is a directory") from None
