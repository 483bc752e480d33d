"""A decompress-and-hash pipeline that runs in its own thread and yields big chunks.

The producer thread reads the raw stream, decompresses it (zlib and zstd release the GIL),
hashes the uncompressed bytes (hashlib releases it too) and hands chunks over a bounded
queue, so the tar parser in the calling thread overlaps with all of that — the same split
as ``tar -xzf`` running gzip in a second process. ``digest``/``size`` describe the whole
uncompressed stream (the layer's diff_id) once the iterator is exhausted.
"""

from __future__ import annotations

import hashlib
import io
import queue
import threading
from collections.abc import Iterator
from typing import BinaryIO, cast

from berth.oci.digest import Digest

from .compression import Compression, decompressor, sniff

RAW_CHUNK = 256 * 1024
_DEPTH = 8
_END = object()


class ChunkPipe:
    """Iterate the uncompressed chunks of ``stream``; close() stops the producer early."""

    def __init__(self, stream: BinaryIO, *, threaded: bool = True) -> None:
        self._stream = stream
        self._first = _read_head(stream)
        self.compression = sniff(self._first)
        self._hasher = hashlib.sha256()
        self.size = 0
        self._stop = threading.Event()
        self._queue: queue.Queue[object] = queue.Queue(_DEPTH)
        self._thread: threading.Thread | None = None
        if threaded:
            self._thread = threading.Thread(target=self._produce, name="berth-unpack",
                                            daemon=True)
            self._thread.start()

    @property
    def digest(self) -> Digest:
        """sha256 of every uncompressed byte seen so far (all of them once exhausted)."""
        return Digest.from_hasher(self._hasher.copy())

    def _chunks(self) -> Iterator[bytes]:
        dec = decompressor(self.compression)
        raw = self._first
        while raw:
            out = dec.feed(raw)
            if out:
                yield self._account(out)
            raw = self._stream.read(RAW_CHUNK)
        out = dec.finish()
        if out:
            yield self._account(out)

    def _account(self, out: bytes) -> bytes:
        self._hasher.update(out)
        self.size += len(out)
        return out

    def _produce(self) -> None:
        try:
            for chunk in self._chunks():
                if self._stop.is_set():
                    return
                self._queue.put(chunk)
            self._queue.put(_END)
        except BaseException as e:  # handed to the consumer, which re-raises it
            self._queue.put(e)

    def __iter__(self) -> Iterator[bytes]:
        if self._thread is None:
            yield from self._chunks()
            return
        while True:
            item = self._queue.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield cast(bytes, item)

    def close(self) -> None:
        """Stop the producer (if running) and wait for it; safe to call twice."""
        if self._thread is None:
            return
        self._stop.set()
        while self._thread.is_alive():
            try:
                self._queue.get(timeout=0.05)
            except queue.Empty:
                pass
        self._thread = None


def _read_head(stream: BinaryIO) -> bytes:
    """The first raw chunk (enough to sniff), read without needing seek()."""
    head = stream.read(RAW_CHUNK)
    while 0 < len(head) < 4:
        more = stream.read(RAW_CHUNK)
        if not more:
            break
        head += more
    return head


class _PipeReader(io.RawIOBase):
    def __init__(self, pipe: ChunkPipe) -> None:
        self._pipe = pipe
        self._it = iter(pipe)
        self._buf = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self._buf:
            chunk = next(self._it, None)
            if chunk is None:
                return 0
            self._buf = memoryview(chunk)
        n = min(len(b), len(self._buf))
        b[:n] = self._buf[:n]
        self._buf = self._buf[n:]
        return n

    def close(self) -> None:
        self._pipe.close()
        super().close()


def open_decompressed(stream: BinaryIO, *, threaded: bool = True) -> BinaryIO:
    """A readable binary stream of ``stream``'s content with gzip/zstd undone (sniffed)."""
    return cast(BinaryIO, io.BufferedReader(_PipeReader(ChunkPipe(stream, threaded=threaded)),
                                            buffer_size=RAW_CHUNK))


__all__ = ["ChunkPipe", "Compression", "open_decompressed"]
