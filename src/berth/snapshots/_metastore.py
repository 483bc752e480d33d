"""SQLite metastore of one snapshotter (``<root>/metadata.db``, WAL, schema version 1).

::

    snapshots(id INTEGER PK AUTOINCREMENT,   -- names <root>/snapshots/<id>; never reused
              key TEXT UNIQUE,               -- active/view key, or committed name
              kind TEXT,                     -- active | view | committed
              parent_id → snapshots.id,      -- always a committed snapshot
              created REAL, updated REAL,    -- unix seconds
              size INTEGER, inodes INTEGER)  -- usage, cached at commit
    labels(snapshot_id → snapshots.id ON DELETE CASCADE, name, value)

``PRAGMA user_version`` holds the schema version; a newer one is refused.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from berth._util.sqlitedb import LockedDB
from berth.errdefs import Conflict, FailedPrecondition, NotFound
from berth.snapshots.snapshotter import Kind

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE snapshots (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  key TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('active', 'view', 'committed')),
  parent_id INTEGER REFERENCES snapshots(id),
  created REAL NOT NULL,
  updated REAL NOT NULL,
  size INTEGER,
  inodes INTEGER
);
CREATE INDEX snapshots_parent ON snapshots(parent_id);
CREATE TABLE labels (
  snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (snapshot_id, name)
);
"""
_COLUMNS = "s.id, s.key, s.kind, s.parent_id, p.key, s.created, s.updated, s.size, s.inodes"
_FROM = "FROM snapshots s LEFT JOIN snapshots p ON p.id = s.parent_id"


@dataclass(frozen=True)
class Row:
    id: int
    key: str
    kind: Kind
    parent_id: int | None
    parent: str | None
    created: float
    updated: float
    size: int | None
    inodes: int | None


def _row(t: tuple[object, ...]) -> Row:
    return Row(t[0], t[1], Kind(t[2]), t[3], t[4], t[5], t[6], t[7], t[8])  # type: ignore[arg-type]


class MetaStore:
    """Thread-safe access to the snapshot table; every change runs in one transaction."""

    def __init__(self, path: Path) -> None:
        self._sql = LockedDB(path, pragmas=("foreign_keys=ON",))
        self._db, self._lock = self._sql.conn, self._sql.lock
        self._migrate(path)

    def _migrate(self, path: Path) -> None:
        with self.transaction() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise FailedPrecondition(f"snapshot metastore {path}: schema {version} is newer")
            if version == 0:
                for stmt in filter(str.strip, _SCHEMA.split(";")):
                    db.execute(stmt)
                db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def transaction(self, durable: bool = True) -> AbstractContextManager[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT, rolled back on any exception; ``durable=False``: see
        ``berth._util.sqlitedb``."""
        return self._sql.tx(durable)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def get(self, key: str) -> Row:
        with self._lock:
            t = self._db.execute(f"SELECT {_COLUMNS} {_FROM} WHERE s.key = ?", (key,)).fetchone()
        if t is None:
            raise NotFound(f"snapshot {key}: not found")
        return _row(t)

    def rows(self) -> list[Row]:
        with self._lock:
            return [_row(t) for t in self._db.execute(f"SELECT {_COLUMNS} {_FROM} ORDER BY s.id")]

    def ids(self) -> set[int]:
        with self._lock:
            return {t[0] for t in self._db.execute("SELECT id FROM snapshots")}

    def chain(self, row: Row) -> list[Row]:
        """``row``'s ancestors, nearest first."""
        out: list[Row] = []
        parent = row.parent
        while parent is not None:
            out.append(self.get(parent))
            parent = out[-1].parent
        return out

    def labels(self, snapshot_id: int) -> dict[str, str]:
        with self._lock:
            q = "SELECT name, value FROM labels WHERE snapshot_id = ? ORDER BY name"
            return dict(self._db.execute(q, (snapshot_id,)).fetchall())

    @staticmethod
    def insert(db: sqlite3.Connection, key: str, kind: Kind, parent_id: int | None) -> int:
        now = time.time()
        try:
            cur = db.execute("INSERT INTO snapshots (key, kind, parent_id, created, updated) "
                             "VALUES (?, ?, ?, ?, ?)", (key, kind.value, parent_id, now, now))
        except sqlite3.IntegrityError:
            raise Conflict(f"snapshot {key}: already exists") from None
        assert cur.lastrowid is not None
        return cur.lastrowid

    @staticmethod
    def set_labels(db: sqlite3.Connection, snapshot_id: int,
                   labels: Mapping[str, str | None]) -> None:
        """Merge ``labels``; a None value deletes that label."""
        for name, value in labels.items():
            if value is None:
                db.execute("DELETE FROM labels WHERE snapshot_id = ? AND name = ?",
                           (snapshot_id, name))
            else:
                db.execute("INSERT OR REPLACE INTO labels VALUES (?, ?, ?)",
                           (snapshot_id, name, value))
        db.execute("UPDATE snapshots SET updated = ? WHERE id = ?", (time.time(), snapshot_id))

    @staticmethod
    def mark_committed(db: sqlite3.Connection, snapshot_id: int, name: str, size: int,
                       inodes: int) -> None:
        try:
            db.execute("UPDATE snapshots SET key = ?, kind = 'committed', size = ?, inodes = ?, "
                       "updated = ? WHERE id = ?", (name, size, inodes, time.time(), snapshot_id))
        except sqlite3.IntegrityError:
            raise Conflict(f"snapshot {name}: already exists") from None

    @staticmethod
    def delete(db: sqlite3.Connection, row: Row) -> None:
        n = db.execute("SELECT count(*) FROM snapshots WHERE parent_id = ?", (row.id,))
        if n.fetchone()[0]:
            raise Conflict(f"snapshot {row.key}: has children; remove them first")
        db.execute("DELETE FROM snapshots WHERE id = ?", (row.id,))
