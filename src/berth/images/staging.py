"""Streaming an image tarball into the content store, member by member.

The outer tar is never extracted to disk: small metadata files (``manifest.json``,
``index.json``, ``repositories``, ``oci-layout``) are kept in memory, every other regular
file is ingested as a blob (verified against its name under ``blobs/<algo>/``). Links are
recorded as aliases. Paths that are absolute or climb with ``..`` are refused.
"""

from __future__ import annotations

import posixpath
import tarfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO, cast

from berth.content import LocalStore
from berth.errdefs import BerthError, InvalidArgument
from berth.oci.digest import Digest

META_FILES = frozenset({"manifest.json", "index.json", "repositories", "oci-layout"})
META_MAX = 32 << 20


@dataclass
class Staged:
    """What a tarball held: metadata by path and blobs by path (GC removes them on failure)."""

    meta: dict[str, bytes] = field(default_factory=dict)
    files: dict[str, Digest] = field(default_factory=dict)

    def blob(self, path: str) -> Digest:
        p = clean_path(path)
        if p not in self.files:
            raise InvalidArgument(f"invalid archive: {path} not found in the archive")
        return self.files[p]


def clean_path(name: str) -> str:
    """Normalise a member path; refuse absolute paths and ``..`` (hostile archives)."""
    n = name.replace("\\", "/")
    if n.startswith("/") or ".." in n.split("/"):
        raise InvalidArgument(f"invalid archive: unsafe path {name!r}")
    n = posixpath.normpath(n)
    return "" if n == "." else n


def stage(stream: BinaryIO, content: LocalStore, hold: Callable[[str], None]) -> Staged:
    """Read the whole tarball into ``content``; ``hold(digest)`` shields blobs from GC."""
    staged = Staged()
    links: dict[str, str] = {}
    try:
        with tarfile.open(fileobj=stream, mode="r|*") as tf:
            for m in tf:
                _member(tf, m, content, staged, links, hold)
    except tarfile.TarError as e:
        raise InvalidArgument(f"invalid archive: {e}") from None
    except EOFError:
        raise InvalidArgument("invalid archive: unexpected end of file") from None
    _resolve_links(staged, links)
    return staged


def _member(tf: tarfile.TarFile, m: tarfile.TarInfo, content: LocalStore, staged: Staged,
            links: dict[str, str], hold: Callable[[str], None]) -> None:
    path = clean_path(m.name)
    if m.isdir() or not path:
        return
    if m.issym():
        links[path] = _link_target(posixpath.join(posixpath.dirname(path), m.linkname), m)
    elif m.islnk():
        links[path] = _link_target(m.linkname, m)
    elif m.isreg():
        f = tf.extractfile(m)
        assert f is not None
        if path in META_FILES:
            if m.size > META_MAX:
                raise InvalidArgument(f"invalid archive: {path} is too large")
            staged.meta[path] = f.read()
            return
        expected = _expected_digest(path)
        if expected is not None:
            hold(str(expected))
        if expected is not None and content.exists(expected):
            d = expected
        else:
            d = content.ingest_stream(cast(BinaryIO, f), expected=expected, total=m.size)
        hold(str(d))
        staged.files[path] = d


def _link_target(target: str, m: tarfile.TarInfo) -> str:
    if target.startswith("/"):
        raise InvalidArgument(f"invalid archive: link {m.name!r} points outside the archive")
    norm = posixpath.normpath(target)
    if norm.startswith("..") or norm == ".":
        raise InvalidArgument(f"invalid archive: link {m.name!r} points outside the archive")
    return norm


def _resolve_links(staged: Staged, links: dict[str, str]) -> None:
    for path, target in links.items():
        seen = {path}
        while target in links and target not in seen:
            seen.add(target)
            target = links[target]
        if target in staged.files:
            staged.files[path] = staged.files[target]


def _expected_digest(path: str) -> Digest | None:
    """``blobs/sha256/<hex>`` names its own digest; anything else is verified later."""
    parts = path.split("/")
    if len(parts) == 3 and parts[0] == "blobs":
        try:
            return Digest(f"{parts[1]}:{parts[2]}")
        except BerthError:
            raise InvalidArgument(f"invalid archive: bad blob name {path!r}") from None
    return None
