"""What every directory-backed snapshotter shares: metastore, ids, crash-safe create/remove.

Directory layout under ``root`` (schema version 1, with the metastore's)::

    metadata.db                 the metastore (see ``_metastore``)
    lock                        flock: one snapshotter instance per root
    snapshots/<id>/fs           the snapshot's tree (overlay upper, or a full copy)
    snapshots/<id>/work         overlay work dir (active overlay snapshots only)
    snapshots/.new-<rand>/      being populated; renamed to <id> inside the DB transaction
    snapshots/.rm-<id>/         being deleted after its row is gone

Crash safety: a directory is renamed to ``<id>`` inside the transaction that inserts the
row, and a row is deleted before its directory; so a crash leaves at worst a directory
without a row, and those (with ``.new-``/``.rm-`` leftovers) are swept on open.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path

from berth._util.fsutil import fsync_dir, lock_exclusive, remove_later, remove_tree, unlock
from berth.errdefs import Conflict, FailedPrecondition, InvalidArgument, NotFound
from berth.mount import Mount
from berth.snapshots._fsops import disk_usage
from berth.snapshots._metastore import MetaStore, Row
from berth.snapshots.snapshotter import Info, Kind, Usage, WhiteoutMode


class DirSnapshotter:
    """Base class; subclasses fill a new snapshot directory and say how to mount it."""

    whiteout_mode: WhiteoutMode = "remove"

    def __init__(self, root: Path) -> None:
        self.root = Path(root).absolute()
        self._snapdir = self.root / "snapshots"
        self._snapdir.mkdir(parents=True, exist_ok=True)
        self._lock_fd = lock_exclusive(self.root / "lock", f"snapshotter {self.root}")
        try:
            self._meta = MetaStore(self.root / "metadata.db")
            self._sweep()
        except BaseException:
            unlock(self._lock_fd)
            raise

    # -- subclass hooks ----------------------------------------------------------------

    def _populate(self, new: Path, kind: Kind, parents: list[Path]) -> None:
        raise NotImplementedError

    def _mounts(self, kind: Kind, fs: Path, parents: list[Path]) -> list[Mount]:
        raise NotImplementedError

    # -- queries -----------------------------------------------------------------------

    def stat(self, key: str) -> Info:
        return self._info(self._meta.get(key))

    def walk(self) -> Iterator[Info]:
        yield from [self._info(r) for r in self._meta.rows()]

    def mounts(self, key: str) -> list[Mount]:
        row = self._meta.get(key)
        if row.kind is Kind.COMMITTED:
            raise FailedPrecondition(f"snapshot {key}: committed snapshots have no mounts; "
                                     "view or prepare on top of it")
        return self._mounts(row.kind, self._fs(row.id), self._parent_dirs(row))

    def usage(self, key: str) -> Usage:
        row = self._meta.get(key)
        if row.kind is Kind.COMMITTED and row.size is not None and row.inodes is not None:
            return Usage(row.size, row.inodes)
        return disk_usage(self._fs(row.id))

    def upper_dir(self, key: str) -> Path:
        """The writable tree of an active snapshot, for unpacking without a mount."""
        row = self._meta.get(key)
        if row.kind is not Kind.ACTIVE:
            raise FailedPrecondition(f"snapshot {key}: is {row.kind.value}, not active")
        return self._fs(row.id)

    # -- changes -----------------------------------------------------------------------

    def prepare(self, key: str, parent: str | None = None,
                labels: Mapping[str, str] | None = None) -> list[Mount]:
        return self._create(Kind.ACTIVE, key, parent, labels)

    def view(self, key: str, parent: str | None = None,
             labels: Mapping[str, str] | None = None) -> list[Mount]:
        return self._create(Kind.VIEW, key, parent, labels)

    def commit(self, name: str, key: str, labels: Mapping[str, str] | None = None) -> None:
        """Freeze active ``key`` as ``name``; Conflict if ``name`` exists."""
        _check_key(name)
        row = self._meta.get(key)
        if row.kind is not Kind.ACTIVE:
            raise FailedPrecondition(f"snapshot {key}: cannot commit a {row.kind.value} snapshot")
        used = disk_usage(self._fs(row.id))
        with self._meta.transaction() as db:
            self._meta.mark_committed(db, row.id, name, used.size, used.inodes)
            if labels:
                self._meta.set_labels(db, row.id, labels)

    def remove(self, key: str, *, durable: bool = True) -> None:
        """Drop the row, then the directory; Conflict while children exist.

        ``durable=False`` does not sync the row's deletion (a container's snapshot, whose
        owner is going away): a power loss may bring the row back without its directory,
        and removing it again then just drops the row."""
        row = self._meta.get(key)
        with self._meta.transaction(durable) as db:
            self._meta.delete(db, row)
        trash = self._snapdir / f".rm-{row.id}"
        try:
            os.rename(self._snapdir / str(row.id), trash)
        except FileNotFoundError:
            return
        remove_later(trash, renamed=True)  # the row is gone: the tree is trash now

    def update_labels(self, key: str, labels: Mapping[str, str | None]) -> Info:
        """Merge labels into ``key``'s; a None value deletes that label."""
        row = self._meta.get(key)
        with self._meta.transaction() as db:
            self._meta.set_labels(db, row.id, labels)
        return self.stat(key)

    def close(self) -> None:
        if self._lock_fd >= 0:
            self._meta.close()
            unlock(self._lock_fd)
            self._lock_fd = -1

    def __enter__(self) -> DirSnapshotter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals ---------------------------------------------------------------------

    def _create(self, kind: Kind, key: str, parent: str | None,
                labels: Mapping[str, str] | None) -> list[Mount]:
        _check_key(key)
        parent_row = self._committed_parent(key, parent)
        if self._exists(key):
            raise Conflict(f"snapshot {key}: already exists")
        parents = self._parent_dirs(parent_row) if parent_row else []
        if parent_row:
            parents.insert(0, self._fs(parent_row.id))
        new = self._snapdir / f".new-{secrets.token_hex(8)}"
        new.mkdir()
        try:
            self._populate(new, kind, parents)
            self._insert(new, kind, key, parent_row, labels)
        finally:
            remove_tree(new)
        return self.mounts(key)

    def _insert(self, new: Path, kind: Kind, key: str, parent: Row | None,
                labels: Mapping[str, str] | None) -> None:
        sid = None
        try:
            with self._meta.transaction() as db:
                sid = self._meta.insert(db, key, kind, parent.id if parent else None)
                if labels:
                    self._meta.set_labels(db, sid, labels)
                os.rename(new, self._snapdir / str(sid))
        except BaseException:
            if sid is not None:
                remove_tree(self._snapdir / str(sid))
            raise
        fsync_dir(self._snapdir)

    def _exists(self, key: str) -> bool:
        try:
            self._meta.get(key)
        except NotFound:
            return False
        return True

    def _committed_parent(self, key: str, parent: str | None) -> Row | None:
        if parent is None:
            return None
        row = self._meta.get(parent)
        if row.kind is not Kind.COMMITTED:
            raise FailedPrecondition(f"snapshot {key}: parent {parent} is not committed")
        return row

    def _parent_dirs(self, row: Row) -> list[Path]:
        return [self._fs(r.id) for r in self._meta.chain(row)]

    def _fs(self, sid: int) -> Path:
        return self._snapdir / str(sid) / "fs"

    def _info(self, row: Row) -> Info:
        return Info(row.key, row.kind, row.parent, self._meta.labels(row.id),
                    datetime.fromtimestamp(row.created, UTC),
                    datetime.fromtimestamp(row.updated, UTC))

    def _sweep(self) -> None:
        """Remove directories no row names (left by a crash between steps)."""
        ids = self._meta.ids()
        for entry in self._snapdir.iterdir():
            if not (entry.name.isdigit() and int(entry.name) in ids):
                remove_tree(entry)


def _check_key(key: str) -> None:
    if not isinstance(key, str) or not key or "\0" in key or len(key) > 1024:
        raise InvalidArgument(f"invalid snapshot key {key!r}")
