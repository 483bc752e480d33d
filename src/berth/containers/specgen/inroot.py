"""Open and create paths inside a container rootfs as if it were ``/``.

The rootfs is untrusted: ``/etc/passwd`` may be a symlink to ``/etc/shadow`` *of the
host* if followed naively. Each component is opened with ``O_NOFOLLOW`` relative to its
parent; a symlink is read and resolved again from the rootfs (absolute) or its directory
(relative), so nothing outside the rootfs is ever touched.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC | os.O_NOFOLLOW
_MAX_LINKS = 40


def open_dir(root: Path, rel: str, *, create: bool = False) -> int:
    """An fd of directory ``rel`` under ``root``; missing parts made (0755) if ``create``."""
    root_fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    stack = [root_fd]
    pending = list(reversed(rel.split("/")))
    links = 0
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
                stack.append(os.open(part, _DIR, dir_fd=stack[-1]))
                continue
            except FileNotFoundError:
                if not create:
                    raise
                os.mkdir(part, 0o755, dir_fd=stack[-1])
                pending.append(part)
                continue
            except OSError as e:
                if e.errno not in (errno.ELOOP, errno.ENOTDIR):
                    raise
                target = os.readlink(part, dir_fd=stack[-1])  # EINVAL: a file, not a dir
            links += 1
            if links > _MAX_LINKS:
                raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), rel)
            if target.startswith("/"):
                while len(stack) > 1:
                    os.close(stack.pop())
            pending.extend(reversed(target.split("/")))
        return stack.pop() if len(stack) > 1 else os.dup(root_fd)
    finally:
        for fd in stack:
            os.close(fd)


def read_file(root: Path, rel: str, limit: int = 16 << 20) -> bytes | None:
    """Contents of regular file ``rel`` under ``root`` (symlinks resolved in-root), or None."""
    parent, _, name = rel.strip("/").rpartition("/")
    for _ in range(_MAX_LINKS):
        try:
            dfd = open_dir(root, parent)
        except OSError:
            return None
        try:
            try:
                fd = os.open(name, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW, dir_fd=dfd)
            except OSError as e:
                if e.errno != errno.ELOOP:
                    return None
                target = os.readlink(name, dir_fd=dfd)
                joined = target if target.startswith("/") else f"{parent}/{target}"
                parent, _, name = joined.strip("/").rpartition("/")
                continue
        finally:
            os.close(dfd)
        with os.fdopen(fd, "rb") as f:
            return f.read(limit)
    return None


def make_dirs(root: Path, rel: str) -> None:
    """``mkdir -p`` of ``rel`` inside ``root`` (docker creates a missing WorkingDir)."""
    os.close(open_dir(root, rel, create=True))
