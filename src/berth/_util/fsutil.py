"""Small durable-filesystem helpers: fsync a directory, write a file atomically, flock,
and remove a tree off the caller's path (``remove_later``)."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from functools import partial
from pathlib import Path

from berth._util.deferred import Deferred
from berth.errdefs import Unavailable


def fsync_dir(path: Path) -> None:
    """Make a rename or unlink inside ``path`` durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    """temp + fsync + rename, so readers see the old or the new file, never a mix."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, mode)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.rename(tmp, path)
    fsync_dir(path.parent)


def lock_exclusive(path: Path, what: str) -> int:
    """Open ``path`` and take a non-blocking exclusive flock; Unavailable if held."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise Unavailable(f"{what}: locked by another writer") from None
    return fd


def unlock(fd: int) -> None:
    with contextlib.suppress(OSError):
        fcntl.flock(fd, fcntl.LOCK_UN)
    os.close(fd)


def remove_tree(path: Path) -> None:
    """Remove a file or directory tree if it exists."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


TRASH_PREFIX = ".rm-"
_trash = Deferred(0.0, "berth-trash")


def remove_later(path: Path, *, renamed: bool = False) -> None:
    """Rename ``path`` to a ``.rm-`` sibling now and delete that tree on a background
    thread: a removal answers without walking the tree (a container's removal spent
    most of its time in rmtree). ``renamed``: ``path`` is such a trash name already.
    A crash or exit before the thread is done leaves the ``.rm-`` tree: the owner of the
    directory sweeps those when it starts (``sweep_trash``)."""
    if not renamed:
        trash = path.with_name(TRASH_PREFIX + path.name)
        try:
            os.rename(path, trash)
        except FileNotFoundError:
            return
        except OSError:  # e.g. a stale trash of the same name: remove in place
            remove_tree(path)
            return
        path = trash
    _trash.later(partial(remove_tree, path))


def sweep_trash(parent: Path) -> None:
    """Remove the ``.rm-`` trees ``remove_later`` left in ``parent`` (start-up)."""
    try:
        entries = list(parent.iterdir())
    except FileNotFoundError:
        return
    for entry in entries:
        if entry.name.startswith(TRASH_PREFIX):
            remove_tree(entry)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
