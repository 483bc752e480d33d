"""The content store contract (containerd's ``core/content``, adapted).

Vocabulary: a *blob* is immutable bytes named by its digest; an *ingest* is a write in
progress named by a caller-chosen *ref* (e.g. ``"layer-sha256:ab…"``). Lifecycle of an
ingest::

    writer(ref) ──write…──▶ commit(expected, size) ──▶ blob visible under its digest
        │   ▲                   │ wrong size/digest: error, ingest kept (abort or retry)
        │   └─ close(); later writer(ref) resumes at Writer.offset
        └──▶ abort() ──▶ ingest gone

Only one writer may hold a ref at a time (a second gets Unavailable). Committing bytes that
are already stored is success: blobs are shared. Readers never see a partial blob.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO, Protocol

from berth.oci.digest import Digest


@dataclass(frozen=True)
class Info:
    """What the store knows about one blob."""

    digest: Digest
    size: int
    created_at: datetime


@dataclass(frozen=True)
class IngestStatus:
    """One in-progress write, as ``list_ingests`` reports it."""

    ref: str
    offset: int
    total: int | None
    expected: Digest | None
    started_at: datetime
    updated_at: datetime


class Writer(Protocol):
    """An open ingest; holds the ref's lock until commit, abort or close."""

    @property
    def ref(self) -> str: ...

    @property
    def offset(self) -> int: ...

    def write(self, data: bytes) -> int: ...

    def digest(self) -> Digest: ...

    def commit(self, expected: Digest | None = None, size: int | None = None) -> Digest: ...

    def abort(self) -> None: ...

    def close(self) -> None: ...


class Provider(Protocol):
    """Read side."""

    def info(self, d: Digest) -> Info: ...

    def exists(self, d: Digest) -> bool: ...

    def open(self, d: Digest) -> BinaryIO: ...

    def read_bytes(self, d: Digest, max_size: int = ...) -> bytes: ...


class Ingester(Protocol):
    """Write side."""

    def writer(self, ref: str, *, expected: Digest | None = None,
               total: int | None = None) -> Writer: ...

    def list_ingests(self) -> list[IngestStatus]: ...

    def abort(self, ref: str) -> None: ...


class Manager(Protocol):
    """Enumeration and deletion, for garbage collection."""

    def walk(self) -> Iterator[Info]: ...

    def delete(self, d: Digest) -> None: ...

    def disk_usage(self) -> int: ...


class Store(Provider, Ingester, Manager, Protocol):
    """Everything a content store offers."""
