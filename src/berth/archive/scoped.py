"""Paths inside an untrusted root (a container's filesystem), resolved as a chroot would.

``docker cp`` names paths as the container sees them; the tree may hold symlinks such as
``etc -> /host`` or ``x -> ../../..``. Resolving them against the host would leak or
overwrite host files, so every lookup here starts from a root fd and treats it as ``/``
(openat2 ``RESOLVE_IN_ROOT``, or the O_NOFOLLOW walk of :mod:`._resolve` where openat2 is
missing). ``follow_in_root`` is moby's ``FollowSymlinkInScope``: it also handles paths
whose tail does not exist, which the kernel cannot resolve for us.
"""

from __future__ import annotations

import errno
import os

from berth.errdefs import InvalidArgument

from ._resolve import _HAS_OPENAT2, openat2_in_root, walk_in_root

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC
_MAX_LINKS = 255  # moby's maxSymlinkDepth


def open_dir_in_root(root_fd: int, rel: str) -> int:
    """An fd of directory ``rel`` (symlinks followed, confined to ``root_fd``)."""
    rel = rel.lstrip("/")
    if not rel:
        return os.dup(root_fd)
    if _HAS_OPENAT2:
        return openat2_in_root(root_fd, rel)
    return walk_in_root(root_fd, rel)


def follow_in_root(root_fd: int, path: str) -> str:
    """``path`` with every symlink (the last one too) resolved inside the root.

    Returns an absolute, clean path as the container sees it; components that do not
    exist are kept as they are (the result may name a missing file).
    """
    parts: list[str] = []
    pending = list(reversed(path.split("/")))
    links = 0
    while pending:
        part = pending.pop()
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            continue
        target = _readlink_at(root_fd, "/".join(parts), part)
        if target is None:
            parts.append(part)
            continue
        links += 1
        if links > _MAX_LINKS:
            raise InvalidArgument(f"{path}: too many links")
        if target.startswith("/"):
            parts = []
        pending.extend(reversed(target.split("/")))
    return "/" + "/".join(parts)


def _readlink_at(root_fd: int, parent: str, name: str) -> str | None:
    """The link text of ``parent/name``, or None if it is not a symlink (or missing)."""
    try:
        pfd = open_dir_in_root(root_fd, parent)
    except OSError as e:
        if e.errno in (errno.ENOENT, errno.ENOTDIR):
            return None
        raise
    try:
        return os.readlink(name, dir_fd=pfd)
    except OSError as e:
        if e.errno in (errno.EINVAL, errno.ENOENT, errno.ENOTDIR):
            return None
        raise
    finally:
        os.close(pfd)
