"""Layer compression: sniff gzip / zstd / plain tar, incremental decompressors, writers.

Decompressors are incremental objects (``feed(bytes) -> bytes`` then ``finish()``) so the
threaded pipeline in :mod:`berth.archive.stream` can run them away from the tar parser;
zlib and zstd both release the GIL while they work. Writers produce deterministic output:
the gzip header carries mtime 0 and no file name, so equal tars give equal blobs.
"""

from __future__ import annotations

import enum
import zlib
from typing import BinaryIO, Protocol

import zstandard

from berth.errdefs import InvalidArgument

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


class Compression(enum.Enum):
    NONE = "none"
    GZIP = "gzip"
    ZSTD = "zstd"


def sniff(head: bytes) -> Compression:
    """Which compression a stream starting with ``head`` (≥4 bytes when available) uses."""
    if head.startswith(GZIP_MAGIC):
        return Compression.GZIP
    if head.startswith(ZSTD_MAGIC):
        return Compression.ZSTD
    return Compression.NONE


class Decompressor(Protocol):
    def feed(self, data: bytes) -> bytes: ...
    def finish(self) -> bytes: ...


class _Identity:
    def feed(self, data: bytes) -> bytes:
        return data

    def finish(self) -> bytes:
        return b""


class _Multi:
    """Concatenated gzip members or zstd frames, each decoded by a fresh object."""

    def __init__(self, kind: Compression) -> None:
        self._kind = kind
        self._obj = self._new()
        self._done = False

    def _new(self) -> zlib._Decompress | zstandard.ZstdDecompressionObj:
        if self._kind is Compression.GZIP:
            return zlib.decompressobj(wbits=31)
        return zstandard.ZstdDecompressor().decompressobj()

    def feed(self, data: bytes) -> bytes:
        out: list[bytes] = []
        while data:
            if self._done:
                if not data.strip(b"\x00"):
                    return b"".join(out)  # zero padding after the last member is harmless
                self._obj, self._done = self._new(), False
            try:
                out.append(self._obj.decompress(data))
            except (zlib.error, zstandard.ZstdError) as e:
                raise InvalidArgument(f"corrupt {self._kind.value} layer stream: {e}") from None
            if not self._obj.eof:
                break
            self._done, data = True, self._obj.unused_data
        return b"".join(out)

    def finish(self) -> bytes:
        if not self._done and not self._obj.eof:
            raise InvalidArgument(f"truncated {self._kind.value} layer stream")
        return b""


def decompressor(kind: Compression) -> Decompressor:
    """A fresh incremental decompressor for ``kind``."""
    return _Identity() if kind is Compression.NONE else _Multi(kind)


class _GzipWriter:
    """gzip via zlib (wbits=31 writes the header and CRC trailer itself, mtime 0)."""

    def __init__(self, out: BinaryIO, level: int) -> None:
        self._out = out
        self._z = zlib.compressobj(level, zlib.DEFLATED, 31)

    def write(self, data: bytes | memoryview) -> int:
        self._out.write(self._z.compress(data))
        return len(data)

    def close(self) -> None:
        self._out.write(self._z.flush())


class _ZstdWriter:
    def __init__(self, out: BinaryIO, level: int) -> None:
        cctx = zstandard.ZstdCompressor(level=level)
        self._w = cctx.stream_writer(out, closefd=False)

    def write(self, data: bytes | memoryview) -> int:
        return int(self._w.write(data))

    def close(self) -> None:
        self._w.flush(zstandard.FLUSH_FRAME)
        self._w.close()


class _PlainWriter:
    def __init__(self, out: BinaryIO) -> None:
        self._out = out

    def write(self, data: bytes | memoryview) -> int:
        self._out.write(data)
        return len(data)

    def close(self) -> None:
        pass


class Writer(Protocol):
    def write(self, data: bytes | memoryview) -> int: ...
    def close(self) -> None: ...


def compressor(kind: Compression, out: BinaryIO, level: int | None = None) -> Writer:
    """A writer compressing into ``out``; ``close()`` ends the stream but not ``out``."""
    if kind is Compression.GZIP:
        return _GzipWriter(out, 6 if level is None else level)
    if kind is Compression.ZSTD:
        return _ZstdWriter(out, 3 if level is None else level)
    return _PlainWriter(out)
