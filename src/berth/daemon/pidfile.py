"""The pidfile, held with ``flock`` for the daemon's lifetime.

A second berthd pointing at the same pidfile fails to take the lock and refuses to
start (dockerd's message); a pidfile left by a dead daemon is simply taken over.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

from berth import errdefs


class PidFile:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip()
            os.close(fd)
            raise errdefs.Conflict(
                f"pid file found, ensure berthd is not running or delete {self.path} "
                f"(held by pid {holder or '?'})") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        os.fsync(fd)
        self._fd = fd

    def release(self) -> None:
        """Remove the file while still holding the lock, then drop the lock."""
        if self._fd is None:
            return
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
        os.close(self._fd)
        self._fd = None

    def __enter__(self) -> PidFile:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
