"""Stream helpers: compression sniffing and a hashing, counting reader.

Layer blobs arrive plain, gzip or zstd; the diff ID is the sha256 of the *uncompressed*
tar, so every path that verifies or re-exports a layer reads through these.
"""

from __future__ import annotations

import gzip
import hashlib
import io
from typing import Any, BinaryIO, cast

import zstandard

from berth.errdefs import DataLoss

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


def sniff(head: bytes) -> str:
    """``gzip``, ``zstd`` or ``none`` from the first bytes of a stream."""
    if head.startswith(GZIP_MAGIC):
        return "gzip"
    if head.startswith(ZSTD_MAGIC):
        return "zstd"
    return "none"


def decompressed(f: BinaryIO) -> BinaryIO:
    """A reader of ``f``'s uncompressed bytes, whatever its compression."""
    buffered: Any = f if isinstance(f, io.BufferedReader) else io.BufferedReader(
        cast(Any, f))
    kind = sniff(buffered.peek(4)[:4])
    if kind == "gzip":
        return cast(BinaryIO, gzip.GzipFile(fileobj=buffered, mode="rb"))
    if kind == "zstd":
        return cast(BinaryIO, zstandard.ZstdDecompressor().stream_reader(buffered))
    return cast(BinaryIO, buffered)


class HashingReader(io.RawIOBase):
    """Passes bytes through while counting and hashing them (sha256)."""

    def __init__(self, f: BinaryIO) -> None:
        self._f = f
        self.size = 0
        self._h = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buf: memoryview) -> int:  # type: ignore[override]
        data = self._f.read(len(buf))
        n = len(data)
        buf[:n] = data
        self._h.update(data)
        self.size += n
        return n

    def drain(self) -> None:
        """Read to the end, so the digest covers trailing bytes the consumer skipped."""
        while self.read(1 << 20):
            pass

    @property
    def digest(self) -> str:
        return f"sha256:{self._h.hexdigest()}"


def measure(f: BinaryIO) -> tuple[str, int]:
    """(sha256 digest, size) of ``f``'s uncompressed content."""
    r = HashingReader(decompressed(f))
    r.drain()
    return r.digest, r.size


def check_diff_id(got: str, want: str, what: str) -> None:
    if got != want:
        raise DataLoss(f"{what}: layer content digest {got} does not match diff_id {want}")
