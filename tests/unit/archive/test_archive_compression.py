"""Sniffing, streaming decompression (threaded and inline) and deterministic compressors."""

from __future__ import annotations

import gzip
import io
import os

import pytest
import zstandard

from berth.archive import Compression, compressor, open_decompressed, sniff
from berth.archive.stream import ChunkPipe
from berth.errdefs import InvalidArgument

DATA = os.urandom(300_000) + b"a" * 2_000_000


def test_sniff() -> None:
    assert sniff(gzip.compress(b"x")) is Compression.GZIP
    assert sniff(zstandard.ZstdCompressor().compress(b"x")) is Compression.ZSTD
    assert sniff(b"ustar") is Compression.NONE
    assert sniff(b"") is Compression.NONE


@pytest.mark.parametrize("threaded", [True, False])
@pytest.mark.parametrize("kind", list(Compression))
def test_compress_then_decompress(kind: Compression, threaded: bool) -> None:
    blob = io.BytesIO()
    w = compressor(kind, blob)
    for i in range(0, len(DATA), 100_000):
        w.write(DATA[i:i + 100_000])
    w.close()
    assert sniff(blob.getvalue()[:4]) is kind
    with open_decompressed(io.BytesIO(blob.getvalue()), threaded=threaded) as r:
        assert r.read() == DATA


def test_gzip_writer_is_deterministic_and_gzip_compatible() -> None:
    outs = []
    for _ in range(2):
        blob = io.BytesIO()
        w = compressor(Compression.GZIP, blob)
        w.write(b"same")
        w.close()
        outs.append(blob.getvalue())
    assert outs[0] == outs[1]
    assert gzip.decompress(outs[0]) == b"same"


def test_multi_member_gzip_and_zstd_frames_and_padding() -> None:
    gz = gzip.compress(b"one") + gzip.compress(b"two") + bytes(1024)
    assert open_decompressed(io.BytesIO(gz)).read() == b"onetwo"
    z = zstandard.ZstdCompressor()
    assert open_decompressed(io.BytesIO(z.compress(b"a") + z.compress(b"b"))).read() == b"ab"


@pytest.mark.parametrize("threaded", [True, False])
def test_truncated_and_corrupt(threaded: bool) -> None:
    gz = gzip.compress(DATA)
    with pytest.raises(InvalidArgument, match="truncated gzip"):
        list(ChunkPipe(io.BytesIO(gz[: len(gz) // 2]), threaded=threaded))
    bad = gz[:10] + bytes(200) + gz[210:]
    with pytest.raises(InvalidArgument, match="corrupt gzip"):
        list(ChunkPipe(io.BytesIO(bad), threaded=threaded))
    zs = zstandard.ZstdCompressor().compress(DATA)
    with pytest.raises(InvalidArgument, match="truncated zstd"):
        list(ChunkPipe(io.BytesIO(zs[:1000]), threaded=threaded))


def test_pipe_digest_and_early_close() -> None:
    pipe = ChunkPipe(io.BytesIO(gzip.compress(DATA * 4)))
    next(iter(pipe))
    pipe.close()  # the producer stops although most of the stream is unread
    pipe.close()


def test_tiny_reads_from_unseekable_stream() -> None:
    class Trickle(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self.data = data

        def readable(self) -> bool:
            return True

        def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
            n = min(1, len(self.data))
            b[:n] = self.data[:n]
            self.data = self.data[n:]
            return n

    blob = gzip.compress(b"payload")
    assert open_decompressed(Trickle(blob)).read() == b"payload"  # type: ignore[arg-type]
