"""Deterministic tar writing: ustar headers plus a PAX header only when one is needed.

A PAX record is added for names or link targets that do not fit ustar (or are not ASCII),
numbers too big for octal fields, and every xattr (``SCHILY.xattr.<name>``, raw bytes).
mtimes are whole seconds and uname/gname are left empty, so the same tree always gives
the same bytes (and so the same diff_id), as docker's and containerd's writers do.
"""

from __future__ import annotations

import os
from typing import Protocol

from .tarinfo import BLK, CHR, REG, XATTR_PAX, ZERO_BLOCK, Entry

BLOCK = 512
_OCTAL_LIMITS = {"mode": 8, "uid": 8, "gid": 8, "size": 12, "mtime": 12, "devmajor": 8,
                 "devminor": 8}


class _Sink(Protocol):
    def write(self, data: bytes | memoryview, /) -> int: ...


def _fits(value: int, width: int) -> bool:
    return 0 <= value < 8 ** (width - 1)


def _octal(value: int, width: int) -> bytes:
    return b"%0*o\x00" % (width - 1, value) if _fits(value, width) else bytes(width)


def _field(text: str, width: int) -> tuple[bytes, bool]:
    """The encoded field and whether it fits as-is (ASCII, short enough)."""
    raw = text.encode("utf-8", "surrogateescape")
    ok = len(raw) <= width and raw.isascii()
    return (raw[:width].ljust(width, b"\x00"), ok)


def _pax_record(key: str, value: bytes) -> bytes:
    body = key.encode("utf-8", "surrogateescape") + b"=" + value + b"\n"
    n = len(body) + 2
    while len(str(n)) + 1 + len(body) != n:
        n = len(str(n)) + 1 + len(body)
    return str(n).encode() + b" " + body


def _ustar(name: bytes, kind: str, e: Entry, link: bytes, size: int) -> bytes:
    mtime = e.mtime_ns // 10**9
    head = b"".join([
        name, _octal(e.mode, 8), _octal(e.uid, 8), _octal(e.gid, 8), _octal(size, 12),
        _octal(mtime if mtime >= 0 else 0, 12), b" " * 8, kind.encode(), link,
        b"ustar\x0000", bytes(64),
        _octal(e.devmajor, 8) if kind in (CHR, BLK) else bytes(8),
        _octal(e.devminor, 8) if kind in (CHR, BLK) else bytes(8), bytes(167)])
    chk = b"%06o\x00 " % sum(head)
    return head[:148] + chk + head[156:]


def encode(e: Entry) -> bytes:
    """Header block(s) for ``e``: an optional PAX header, then the ustar header."""
    name_f, name_ok = _field(e.name, 100)
    link_f, link_ok = _field(e.linkname, 100)
    records: list[bytes] = []
    if not name_ok:
        records.append(_pax_record("path", e.name.encode("utf-8", "surrogateescape")))
    if not link_ok:
        records.append(_pax_record("linkpath", e.linkname.encode("utf-8", "surrogateescape")))
    for key in ("uid", "gid", "size"):
        if not _fits(getattr(e, key), _OCTAL_LIMITS[key]):
            records.append(_pax_record(key, str(getattr(e, key)).encode()))
    if not _fits(e.mtime_ns // 10**9, 12):
        records.append(_pax_record("mtime", str(e.mtime_ns // 10**9).encode()))
    for xname in sorted(e.xattrs):
        records.append(_pax_record(XATTR_PAX + xname, e.xattrs[xname]))
    size = e.size if e.type == REG else 0
    header = _ustar(name_f, e.type, e, link_f, size)
    if not records:
        return header
    body = b"".join(records)
    pax_name, _ = _field("PaxHeaders/" + os.path.basename(e.name.rstrip("/"))[:80], 100)
    pax = _ustar(pax_name, "x", Entry("", "x", mode=0o644), bytes(100), len(body))
    return pax + body + bytes(-len(body) % BLOCK) + header


class TarWriter:
    """Append entries to a sink; ``close()`` writes the two zero blocks."""

    def __init__(self, out: _Sink) -> None:
        self._out = out

    def add(self, e: Entry, body: bytes = b"") -> None:
        self._out.write(encode(e))
        if body:
            self._out.write(body)
            self._out.write(bytes(-len(body) % BLOCK))

    def add_file(self, e: Entry, fd: int) -> None:
        """Header plus ``e.size`` bytes read from ``fd``; a file that shrank is an error."""
        self._out.write(encode(e))
        left = e.size
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                raise OSError(f"{e.name}: file shrank while being archived")
            self._out.write(chunk)
            left -= len(chunk)
        self._out.write(bytes(-e.size % BLOCK))

    def close(self) -> None:
        self._out.write(ZERO_BLOCK * 2)
