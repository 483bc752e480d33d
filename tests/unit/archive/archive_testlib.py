"""Helpers for archive tests: build tarballs with tarfile, snapshot trees for comparison."""

from __future__ import annotations

import hashlib
import io
import os
import stat
import tarfile
from pathlib import Path
from typing import Any

Member = tuple[tarfile.TarInfo, bytes | None]


def member(name: str, kind: bytes = tarfile.REGTYPE, data: bytes | None = None,
           **attrs: Any) -> Member:
    """A TarInfo (mode 0644/0755, mtime 1_600_000_000) plus its body."""
    ti = tarfile.TarInfo(name)
    ti.type = kind
    ti.mode = 0o755 if kind == tarfile.DIRTYPE else 0o644
    ti.mtime = 1_600_000_000
    xattrs = attrs.pop("xattrs", None)
    for key, value in attrs.items():
        setattr(ti, key, value)
    if xattrs:
        ti.pax_headers = {f"SCHILY.xattr.{k}": v.decode("utf-8", "surrogateescape")
                          for k, v in xattrs.items()}
    if data is not None:
        ti.size = len(data)
    return ti, data


def f(name: str, data: bytes = b"", **attrs: Any) -> Member:
    return member(name, tarfile.REGTYPE, data, **attrs)


def d(name: str, **attrs: Any) -> Member:
    return member(name, tarfile.DIRTYPE, **attrs)


def sym(name: str, target: str, **attrs: Any) -> Member:
    return member(name, tarfile.SYMTYPE, linkname=target, **attrs)


def hard(name: str, target: str, **attrs: Any) -> Member:
    return member(name, tarfile.LNKTYPE, linkname=target, **attrs)


def make_tar(members: list[Member], fmt: int = tarfile.PAX_FORMAT) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as tf:
        for ti, data in members:
            tf.addfile(ti, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()


def snapshot(root: Path, *, owners: bool = True) -> dict[str, tuple[Any, ...]]:
    """Everything a layer round trip must preserve, per relative path (root excluded)."""
    out: dict[str, tuple[Any, ...]] = {}
    inodes: dict[int, str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            p = os.path.join(dirpath, name)
            rel = os.path.relpath(p, root)
            st = os.lstat(p)
            xattrs = {k: os.getxattr(p, k, follow_symlinks=False)
                      for k in sorted(os.listxattr(p, follow_symlinks=False))}
            extra: Any = None
            if stat.S_ISLNK(st.st_mode):
                extra = os.readlink(p)
            elif stat.S_ISREG(st.st_mode):
                extra = hashlib.sha256(Path(p).read_bytes()).hexdigest()
                extra = (extra, inodes.setdefault(st.st_ino, rel))
            mtime = st.st_mtime_ns // 10**9
            ids = (st.st_uid, st.st_gid) if owners else None
            out[rel] = (stat.filemode(st.st_mode), ids, mtime, st.st_rdev, xattrs, extra)
    return out


def outside_untouched(tmp_path: Path, root: Path, before: set[str]) -> bool:
    """True when nothing outside ``root`` under ``tmp_path`` was added or removed."""
    now = {str(p) for p in tmp_path.rglob("*") if root not in p.parents and p != root}
    return now == before


def listing(tmp_path: Path, root: Path) -> set[str]:
    return {str(p) for p in tmp_path.rglob("*") if root not in p.parents and p != root}
