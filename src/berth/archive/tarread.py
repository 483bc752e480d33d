"""A lean streaming tar reader: ustar, POSIX PAX (incl. ``SCHILY.xattr.*``), GNU long names.

It pulls big chunks from an iterator and copies file bodies straight from them with
``os.write`` on memoryview slices, so unpacking costs a few syscalls per entry and no
per-byte Python work. ``tarfile`` is avoided on this path because it is several times
slower (per-member objects, small reads, seeks); the writer side still checks us against
it in the tests.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from berth.errdefs import InvalidArgument, NotImplementedYet

from .tarinfo import ZERO_BLOCK, Entry, apply_pax, parse_header, parse_pax

BLOCK = 512


class TarReader:
    """Iterate entries of a tar held in an iterator of byte chunks."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._buf = b""
        self._mv = memoryview(self._buf)
        self._pos = 0
        self._global: dict[str, bytes] = {}

    def _fill(self) -> bool:
        for chunk in self._chunks:
            if chunk:
                self._buf, self._mv, self._pos = chunk, memoryview(chunk), 0
                return True
        return False

    def read(self, n: int) -> bytes:
        """Exactly ``n`` bytes (raises on a truncated archive)."""
        end = self._pos + n
        if end <= len(self._buf):
            data = self._buf[self._pos:end]
            self._pos = end
            return data
        parts = [self._buf[self._pos:]]
        need = n - len(parts[0])
        while need > 0:
            if not self._fill():
                raise InvalidArgument("layer tar is truncated")
            take = min(need, len(self._buf))
            parts.append(self._buf[:take])
            self._pos, need = take, need - take
        return b"".join(parts)

    def skip(self, n: int) -> None:
        while n > 0:
            avail = len(self._buf) - self._pos
            if avail == 0:
                if not self._fill():
                    raise InvalidArgument("layer tar is truncated")
                continue
            take = min(avail, n)
            self._pos += take
            n -= take

    def copy_to_fd(self, fd: int, n: int) -> None:
        """Write the next ``n`` body bytes to ``fd`` and skip the block padding."""
        pad = -n % BLOCK
        while n > 0:
            avail = len(self._buf) - self._pos
            if avail == 0:
                if not self._fill():
                    raise InvalidArgument("layer tar is truncated")
                continue
            take = min(avail, n)
            written = os.write(fd, self._mv[self._pos:self._pos + take])
            self._pos += written
            n -= written
        self.skip(pad)

    def skip_body(self, size: int) -> None:
        self.skip(size + (-size % BLOCK))

    def drain(self) -> None:
        """Consume everything after the end-of-archive marker (it is part of the diff_id)."""
        self._pos = len(self._buf)
        while self._fill():
            self._pos = len(self._buf)

    def __iter__(self) -> Iterator[Entry]:
        pax: dict[str, bytes] = {}
        longname: str | None = None
        longlink: str | None = None
        while True:
            if self._pos == len(self._buf) and not self._fill():
                if pax or longname is not None or longlink is not None:
                    raise InvalidArgument("layer tar is truncated after an extended header")
                return  # EOF on a block boundary without the zero blocks: accepted, as Go does
            block = self.read(BLOCK)
            if block == ZERO_BLOCK:
                return
            entry = parse_header(block)
            kind = entry.type
            if kind in "xgLK":
                body = self.read(entry.size + (-entry.size % BLOCK))[:entry.size]
                if kind == "x":
                    pax.update(parse_pax(body))
                elif kind == "g":
                    self._global.update(parse_pax(body))
                elif kind == "L":
                    longname = _gnu_string(body)
                else:
                    longlink = _gnu_string(body)
                continue
            if kind == "S":
                raise NotImplementedYet(f"tar entry {entry.name!r}: GNU sparse files")
            if longname is not None:
                entry.name = longname
            if longlink is not None:
                entry.linkname = longlink
            if self._global or pax:
                apply_pax(entry, {**self._global, **pax})
            pax, longname, longlink = {}, None, None
            yield entry


def _gnu_string(body: bytes) -> str:
    return body.split(b"\x00", 1)[0].decode("utf-8", "surrogateescape")
