"""Tar header records: the :class:`Entry` type and parsing of ustar/GNU/PAX headers.

Names are ``str`` decoded as UTF-8 with ``surrogateescape`` so any byte string a Linux
file name can hold round-trips through ``os`` calls unchanged. Type flags are the tar
characters (``0`` file, ``1`` hard link, ``2`` symlink, ``3`` char, ``4`` block, ``5`` dir,
``6`` fifo); legacy variants are normalised on parse.
"""

from __future__ import annotations

import base64
import urllib.parse

from berth.errdefs import InvalidArgument, NotImplementedYet

ZERO_BLOCK = bytes(512)
REG, LNK, SYM, CHR, BLK, DIR, FIFO = "0", "1", "2", "3", "4", "5", "6"
XATTR_PAX = "SCHILY.xattr."
_LIBARCHIVE_XATTR = "LIBARCHIVE.xattr."


class Entry:
    """One tar member's metadata (its body, if any, follows in the stream)."""

    __slots__ = ("devmajor", "devminor", "gid", "linkname", "mode", "mtime_ns", "name",
                 "size", "type", "uid", "xattrs")

    def __init__(self, name: str, type: str = REG, *, mode: int = 0o644, uid: int = 0,
                 gid: int = 0, size: int = 0, mtime_ns: int = 0, linkname: str = "",
                 devmajor: int = 0, devminor: int = 0,
                 xattrs: dict[str, bytes] | None = None) -> None:
        self.name, self.type, self.mode = name, type, mode
        self.uid, self.gid, self.size, self.mtime_ns = uid, gid, size, mtime_ns
        self.linkname, self.devmajor, self.devminor = linkname, devmajor, devminor
        self.xattrs: dict[str, bytes] = xattrs if xattrs is not None else {}

    def __repr__(self) -> str:
        return f"Entry({self.name!r}, {self.type!r}, mode={self.mode:o}, size={self.size})"


def _num(field: bytes, what: str) -> int:
    """An octal field, or GNU base-256 when the top bit of the first byte is set."""
    try:
        return int(field.rstrip(b"\x00 ") or b"0", 8)  # the common, fast case
    except ValueError:
        pass
    if field and field[0] & 0x80:
        value = int.from_bytes(bytes([field[0] & 0x7F]) + field[1:], "big")
        return value - (1 << (8 * len(field) - 1)) if field[0] & 0x40 else value
    text = field.split(b"\x00", 1)[0].strip(b" ")
    try:
        return int(text, 8) if text else 0
    except ValueError:
        raise InvalidArgument(f"tar header: bad {what} field {field!r}") from None


def _str(field: bytes) -> str:
    return field.split(b"\x00", 1)[0].decode("utf-8", "surrogateescape")


def _check_sum(block: bytes) -> None:
    stored = _num(block[148:156], "checksum")
    unsigned = sum(block) - sum(block[148:156]) + 8 * 32
    if stored == unsigned:
        return
    signed = sum(b - 256 if b > 127 else b for b in block[:148] + block[156:]) + 8 * 32
    if stored != signed:
        raise InvalidArgument("tar header checksum mismatch: not a tar stream or corrupt")


def parse_header(block: bytes) -> Entry:
    """Decode one 512-byte header block (PAX and GNU extensions are applied later)."""
    _check_sum(block)
    name = _str(block[0:100])
    if block[257:263] == b"ustar\x00" and block[345] != 0:  # POSIX prefix field
        name = _str(block[345:500]) + "/" + name
    kind = chr(block[156]) if block[156] else REG
    if kind in "xgLK":  # extension headers: only the body size matters
        return Entry(name, kind, size=_num(block[124:136], "size"))
    if kind == "7":
        kind = REG
    if kind == REG and name.endswith("/"):
        kind = DIR  # pre-POSIX archives mark directories only by the trailing slash
    return Entry(
        name, kind, mode=_num(block[100:108], "mode") & 0o7777,
        uid=_num(block[108:116], "uid"), gid=_num(block[116:124], "gid"),
        size=_num(block[124:136], "size"), mtime_ns=_num(block[136:148], "mtime") * 10**9,
        linkname=_str(block[157:257]), devmajor=_num(block[329:337], "devmajor"),
        devminor=_num(block[337:345], "devminor"))


def parse_pax(body: bytes) -> dict[str, bytes]:
    """``"%d %s=%s\\n"`` records → {key: raw value bytes}."""
    out: dict[str, bytes] = {}
    pos = 0
    while pos < len(body):
        if body[pos] == 0:
            break
        sp = body.find(b" ", pos)
        try:
            length = int(body[pos:sp])
        except ValueError:
            raise InvalidArgument("malformed PAX header record length") from None
        end = pos + length
        if sp < 0 or length <= 0 or end > len(body) or body[end - 1:end] != b"\n":
            raise InvalidArgument("malformed PAX header record")
        key, eq, value = body[sp + 1:end - 1].partition(b"=")
        if not eq:
            raise InvalidArgument(f"malformed PAX header record {key!r}")
        out[key.decode("utf-8", "surrogateescape")] = value
        pos = end
    return out


def pax_time_ns(value: bytes) -> int:
    """``"1700000000.5"`` → nanoseconds, exactly (no float rounding)."""
    text = value.decode("ascii", "replace")
    neg = text.startswith("-")
    sec, _, frac = text.lstrip("-").partition(".")
    try:
        ns = int(sec or "0") * 10**9 + int((frac + "000000000")[:9])
    except ValueError:
        raise InvalidArgument(f"malformed PAX time {text!r}") from None
    return -ns if neg else ns


def apply_pax(entry: Entry, pax: dict[str, bytes]) -> None:
    """Override header fields with PAX records (path, linkpath, size, ids, mtime, xattrs)."""
    for key, value in pax.items():
        if key == "path":
            entry.name = value.decode("utf-8", "surrogateescape")
        elif key == "linkpath":
            entry.linkname = value.decode("utf-8", "surrogateescape")
        elif key in ("size", "uid", "gid"):
            try:
                setattr(entry, key, int(value))
            except ValueError:
                raise InvalidArgument(f"tar entry {entry.name!r}: bad PAX {key}") from None
        elif key == "mtime":
            entry.mtime_ns = pax_time_ns(value)
        elif key.startswith(XATTR_PAX):
            entry.xattrs[key[len(XATTR_PAX):]] = value
        elif key.startswith(_LIBARCHIVE_XATTR):
            name = urllib.parse.unquote(key[len(_LIBARCHIVE_XATTR):])
            entry.xattrs[name] = base64.b64decode(value + b"==")
        elif key.startswith("GNU.sparse."):
            raise NotImplementedYet(f"tar entry {entry.name!r}: PAX sparse files")
