"""Open directories inside a root the way a chroot would, never escaping it.

Every parent directory of a tar entry is opened relative to the root with
``openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)``: symlinks are followed, but ``/`` and
``..`` stop at the root, so ``link -> /etc`` then ``link/passwd`` lands in ``<root>/etc``
(containerd's semantics). Where openat2 is missing (old kernel, seccomp) a Python walk does
the same one component at a time with ``O_NOFOLLOW``. The final component of an entry is
always created relative to the parent's fd with no-follow calls, so nothing is written
outside the root. Open parents are cached; callers ``forget`` a path when they replace or
remove it so a stale fd is never reused.

TODO(berth.sys): the openat2 wrapper belongs in berth.sys once it grows one.
"""

from __future__ import annotations

import ctypes
import errno
import os

from berth.errdefs import InvalidArgument
from berth.sys._libc import libc

from .paths import split

_SYS_OPENAT2 = 437  # same number on every architecture (unified syscall table)
RESOLVE_NO_MAGICLINKS = 0x02
RESOLVE_IN_ROOT = 0x10
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC
_MAX_HOPS = 40
_CACHE_MAX = 256


class _OpenHow(ctypes.Structure):
    _fields_ = [("flags", ctypes.c_uint64), ("mode", ctypes.c_uint64),
                ("resolve", ctypes.c_uint64)]


_HOW = _OpenHow(_DIR_FLAGS, 0, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)
_HOW_SIZE = ctypes.sizeof(_OpenHow)


def openat2_in_root(root_fd: int, rel: str) -> int:
    """Open directory ``rel`` under ``root_fd`` as if ``root_fd`` were ``/``."""
    path = os.fsencode(rel)
    while True:
        fd = libc.syscall(_SYS_OPENAT2, root_fd, path, ctypes.byref(_HOW), _HOW_SIZE)
        if fd >= 0:
            return int(fd)
        err = ctypes.get_errno()
        if err not in (errno.EAGAIN, errno.EINTR):  # EAGAIN: a concurrent rename raced
            raise OSError(err, os.strerror(err), rel)


def walk_in_root(root_fd: int, rel: str) -> int:
    """The same resolution as :func:`openat2_in_root`, done in Python with O_NOFOLLOW."""
    stack: list[int] = [root_fd]
    pending = list(reversed(rel.split("/")))
    hops = 0
    try:
        while pending:
            part = pending.pop()
            if part in ("", "."):
                continue
            if part == "..":
                if len(stack) > 1:
                    os.close(stack.pop())
                continue
            try:
                stack.append(os.open(part, _DIR_FLAGS | os.O_NOFOLLOW, dir_fd=stack[-1]))
                continue
            except OSError as e:
                if e.errno not in (errno.ELOOP, errno.ENOTDIR):
                    raise
                target = _readlink_or_enotdir(part, stack[-1], rel)
            hops += 1
            if hops > _MAX_HOPS:
                raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), rel)
            if target.startswith("/"):
                while len(stack) > 1:
                    os.close(stack.pop())
            pending.extend(reversed(target.split("/")))
        top = stack.pop() if len(stack) > 1 else os.dup(root_fd)
        return top
    finally:
        for fd in stack[1:]:
            os.close(fd)


def _readlink_or_enotdir(name: str, dir_fd: int, rel: str) -> str:
    try:
        return os.readlink(name, dir_fd=dir_fd)
    except OSError as e:
        if e.errno == errno.EINVAL:  # not a symlink: a file where a directory should be
            raise OSError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), rel) from None
        raise


def _probe_openat2() -> bool:
    try:
        fd = openat2_in_root(os.open("/", _DIR_FLAGS), ".")
    except OSError:
        return False
    os.close(fd)
    return True


class DirResolver:
    """Cached, root-confined directory fds for one extraction. Close it when done."""

    def __init__(self, root: str | os.PathLike[str], *, use_openat2: bool | None = None) -> None:
        self.root_fd = os.open(root, _DIR_FLAGS)
        if use_openat2 is None:
            use_openat2 = _HAS_OPENAT2
        self._open = openat2_in_root if use_openat2 else walk_in_root
        self._cache: dict[str, int] = {}
        self._graveyard: list[int] = []
        self.made: list[str] = []  # directories created implicitly, in order

    def dir_fd(self, rel: str, *, create: bool = True) -> int:
        """An fd for directory ``rel`` (created 0755 with its parents when missing)."""
        if not rel:
            return self.root_fd
        fd = self._cache.get(rel)
        if fd is not None:
            return fd
        try:
            fd = self._open(self.root_fd, rel)
        except FileNotFoundError:
            if not create:
                raise
            fd = self._make(rel)
        except OSError as e:
            raise InvalidArgument(f"parent directory {rel!r}: {e.strerror}") from None
        if len(self._cache) >= _CACHE_MAX:
            self._graveyard.append(self._cache.pop(next(iter(self._cache))))
        self._cache[rel] = fd
        return fd

    def lookup(self, rel: str) -> int | None:
        """Like :meth:`dir_fd` but never creates: None when ``rel`` does not exist."""
        try:
            return self.dir_fd(rel, create=False)
        except FileNotFoundError:
            return None

    def _make(self, rel: str) -> int:
        parent, name = split(rel)
        pfd = self.dir_fd(parent)
        try:
            os.mkdir(name, 0o755, dir_fd=pfd)
            self.made.append(rel)
        except FileExistsError:
            pass  # a dangling symlink: the open below reports it
        try:
            return self._open(self.root_fd, rel)
        except FileNotFoundError:
            raise InvalidArgument(
                f"parent directory {rel!r} is a symlink to a missing directory") from None
        except OSError as e:
            raise InvalidArgument(f"parent directory {rel!r}: {e.strerror}") from None

    def forget(self, rel: str, *, is_dir: bool) -> None:
        """Drop cached fds that may resolve through ``rel`` (about to be removed/replaced).

        A removed directory may be the target of a cached path reached via a symlink, so
        removing one drops the whole cache; a removed symlink only affects its own prefix.
        Dropped fds stay open until :meth:`collect`, because callers may still hold them.
        """
        if not self._cache:
            return
        if is_dir or not rel:
            doomed = list(self._cache)
        else:
            prefix = rel + "/"
            doomed = [k for k in self._cache if k == rel or k.startswith(prefix)]
        for key in doomed:
            self._graveyard.append(self._cache.pop(key))

    def collect(self) -> None:
        """Close forgotten fds; call only when no fd from this resolver is in use."""
        while self._graveyard:
            os.close(self._graveyard.pop())

    def close(self) -> None:
        self.forget("", is_dir=True)
        self.collect()
        os.close(self.root_fd)


_HAS_OPENAT2 = _probe_openat2()
