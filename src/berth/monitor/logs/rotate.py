"""An append-only log file with docker's rotation (``max-size``, ``max-file``, ``compress``).

As moby's ``loggerutils.LogFile``: after a write that brings the file to ``max_size`` or
more, ``<path>.N-1`` → ``<path>.N`` … ``<path>`` → ``<path>.1`` (gzip'd to ``.1.gz`` with
``compress``), and a new empty ``<path>`` is opened. With ``max_file`` 1 the file is
truncated instead. Compression runs inline (the monitor is single-threaded); it only
happens once per ``max_size`` bytes.
"""

from __future__ import annotations

import os


class RotatingFile:
    def __init__(self, path: str, max_size: int, max_file: int, compress: bool) -> None:
        self.path, self.max_size, self.max_file = path, max_size, max_file
        self.compress = compress and max_file > 1
        self.fd = self._open(os.O_APPEND)
        self.size = os.fstat(self.fd).st_size

    def _open(self, extra: int) -> int:
        return os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC | extra, 0o640)

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            n = os.write(self.fd, view)
            view = view[n:]
        self.size += len(data)
        if 0 < self.max_size <= self.size:
            self.rotate()

    def rotate(self) -> None:
        os.close(self.fd)
        if self.max_file >= 2:
            self._shift()
        self.fd = self._open(os.O_TRUNC)
        self.size = 0

    def _shift(self) -> None:
        ext = ".gz" if self.compress else ""
        _remove(f"{self.path}.{self.max_file - 1}{ext}")
        for i in range(self.max_file - 2, 0, -1):
            try:
                os.rename(f"{self.path}.{i}{ext}", f"{self.path}.{i + 1}{ext}")
            except FileNotFoundError:
                pass
        os.rename(self.path, f"{self.path}.1")
        if self.compress:
            _gzip(f"{self.path}.1")

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _gzip(path: str) -> None:
    """``path`` → ``path.gz`` (temp + rename, so readers never see half a gzip file)."""
    import gzip
    import shutil
    tmp = f"{path}.gz.tmp"
    with open(path, "rb") as src, open(tmp, "wb") as raw, \
            gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as dst:
        shutil.copyfileobj(src, dst)
    os.rename(tmp, f"{path}.gz")
    os.unlink(path)
