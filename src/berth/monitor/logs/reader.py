"""Reading logs back for ``docker logs``: history from rotated files, then follow.

``read_logs`` is a plain iterator (run it in a worker thread); ``follow_logs`` is the
same as an async generator. Following polls the file size every ``interval`` seconds
(0.1 s by default; no inotify) and notices rotation by the inode of ``path`` changing
(or the file shrinking, for ``max-file`` 1 truncation). It ends once ``done()`` is true
and everything written so far has been read — berthd passes "the monitor has exited".
Records are ``(stream, message, time_ns)``; with ``timestamps`` the message starts
with the RFC3339Nano time and a space, as docker's API sends it.
"""

from __future__ import annotations

import os
import re

from berth.monitor.logs import jsonfile, local
from berth.monitor.logs.timefmt import format_ns

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Iterator

    Record = tuple[str, bytes, int, bool]

_ROTATED = re.compile(r"\.(\d+)(\.gz)?$")


def rotated_files(path: str) -> list[str]:
    """``path.N[.gz]`` … ``path.1[.gz]``: the rotated files, oldest first."""
    folder, base = os.path.split(path)
    found = []
    for name in os.listdir(folder or "."):
        m = _ROTATED.match(name[len(base):]) if name.startswith(base) else None
        if m:
            found.append((int(m.group(1)), os.path.join(folder, name)))
    return [p for _n, p in sorted(found, reverse=True)]


def parse(buf: bytes, driver: str) -> tuple[list[Record], int]:
    """Whole records in ``buf`` and how many bytes they used (a torn end is left)."""
    if driver == "local":
        out, used = [], 0
        for end, rec in local.decode_all(buf):
            out.append(rec)
            used = end
        return out, used
    used = buf.rfind(b"\n") + 1
    recs = [r for line in buf[:used].splitlines() if (r := jsonfile.decode(line))]
    return recs, used


def _read_file(path: str) -> bytes:
    if path.endswith(".gz"):
        import gzip
        with gzip.open(path, "rb") as f:
            return f.read()
    with open(path, "rb") as f:
        return f.read()


class Cursor:
    """Reads new records from the live file, following it across rotations."""

    def __init__(self, path: str, driver: str) -> None:
        self.path, self.driver = path, driver
        self.fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        self.pending = b""

    def read(self) -> list[Record]:
        chunk = self._read_fd()
        if not chunk:
            if self._truncated():
                os.lseek(self.fd, 0, os.SEEK_SET)
                self.pending = b""
            elif self._rotated():
                return self.read()
            return []
        buf = self.pending + chunk
        recs, used = parse(buf, self.driver)
        self.pending = buf[used:]
        return recs

    def _read_fd(self) -> bytes:
        parts = []
        while data := os.read(self.fd, 1 << 16):
            parts.append(data)
        return b"".join(parts)

    def _truncated(self) -> bool:
        return os.fstat(self.fd).st_size < os.lseek(self.fd, 0, os.SEEK_CUR)

    def _rotated(self) -> bool:
        """Switch to the new file at ``path`` if the one we hold was renamed away."""
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            return False
        if os.fstat(fd).st_ino == os.fstat(self.fd).st_ino:
            os.close(fd)
            return False
        os.close(self.fd)
        self.fd, self.pending = fd, b""
        return True

    def close(self) -> None:
        os.close(self.fd)


def _history(path: str, driver: str, cur: Cursor) -> list[Record]:
    out: list[Record] = []
    for old in rotated_files(path):
        try:
            out += parse(_read_file(old), driver)[0]
        except (FileNotFoundError, OSError, EOFError):
            continue  # rotated away (or half-compressed) while we listed
    return out + cur.read()


def _records(path: str, driver: str, follow: bool, tail: int) -> Iterator[Record | None]:
    """History (last ``tail`` records when ``tail`` >= 0), then new ones; None = idle."""
    cur = Cursor(path, driver)
    try:
        recs = _history(path, driver, cur)
        yield from (recs[-tail:] if tail > 0 else [] if tail == 0 else recs)
        while follow:
            new = cur.read()
            yield from new
            if not new:
                yield None
    finally:
        cur.close()


def _select(recs: Iterator[Record | None], stdout: bool, stderr: bool, lo: int,
            hi: int, timestamps: bool) -> Iterator[tuple[str, bytes, int] | None]:
    """Stream and time filter; bounds are integer nanoseconds (a float of unix seconds
    cannot hold them: it rounds by ~0.2 µs, enough to move a boundary entry)."""
    for r in recs:
        if r is None:
            yield None
            continue
        stream, msg, ns, _partial = r
        if (stream == "stdout" and not stdout) or (stream == "stderr" and not stderr):
            continue
        if ns < lo or (hi and ns > hi):
            continue
        yield stream, (format_ns(ns).encode() + b" " + msg if timestamps else msg), ns


def read_logs(path: str, *, driver: str = "json-file", stdout: bool = True,
              stderr: bool = True, since_ns: int = 0, until_ns: int = 0, tail: int = -1,
              follow: bool = False, timestamps: bool = False,
              done: Callable[[], bool] | None = None,
              interval: float = 0.1) -> Iterator[tuple[str, bytes, int]]:
    """Records of the log at ``path`` (``since_ns``/``until_ns``: unix nanoseconds, both
    inclusive as docker's; 0 = unbounded)."""
    import time
    gen = _select(_records(path, driver, follow, tail), stdout, stderr, since_ns, until_ns,
                  timestamps)
    for item in gen:
        if item is not None:
            yield item
        elif done is not None and done():
            yield from _drain(gen)
            return
        else:
            time.sleep(interval)


async def follow_logs(path: str, *, driver: str = "json-file", stdout: bool = True,
                      stderr: bool = True, since_ns: int = 0, until_ns: int = 0,
                      tail: int = -1, timestamps: bool = False,
                      done: Callable[[], bool] | None = None,
                      interval: float = 0.1) -> AsyncIterator[tuple[str, bytes, int]]:
    """``read_logs(..., follow=True)`` for an event loop (file reads are short and local)."""
    import asyncio
    gen = _select(_records(path, driver, True, tail), stdout, stderr, since_ns, until_ns,
                  timestamps)
    for item in gen:
        if item is not None:
            yield item
        elif done is not None and done():
            for last in _drain(gen):
                yield last
            return
        else:
            await asyncio.sleep(interval)


def _drain(gen: Iterator[tuple[str, bytes, int] | None]) -> Iterator[tuple[str, bytes, int]]:
    """After ``done``: what was written before it became true, up to the next idle."""
    for item in gen:
        if item is None:
            return
        yield item
