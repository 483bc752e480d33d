"""``<data-root>/volumes/metadata.db``: the volumes berth knows and who uses them.

SQLite in WAL mode, ``PRAGMA user_version`` = schema version. Tables (v1)::

    volumes(name PK, driver, labels JSON|null, options JSON|null, created REAL (unix
            seconds), anonymous 0/1, scope)
    refs(name → volumes, cid)     containers holding the volume (in use: no remove)
    mounts(name → volumes, cid)   containers the volume is mounted for right now

References and mounts live here, not only in memory, because containers outlive berthd:
after a restart a running container still holds its volumes and its tmpfs stays mounted.
One connection behind a lock; each write is one ``BEGIN IMMEDIATE`` transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from berth._util.sqlitedb import LockedDB

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS volumes (
    name TEXT PRIMARY KEY, driver TEXT NOT NULL, labels TEXT NOT NULL,
    options TEXT NOT NULL, created REAL NOT NULL, anonymous INTEGER NOT NULL,
    scope TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS refs (
    name TEXT NOT NULL REFERENCES volumes(name) ON DELETE CASCADE, cid TEXT NOT NULL,
    PRIMARY KEY (name, cid));
CREATE TABLE IF NOT EXISTS mounts (
    name TEXT NOT NULL REFERENCES volumes(name) ON DELETE CASCADE, cid TEXT NOT NULL,
    PRIMARY KEY (name, cid));
"""


@dataclass(frozen=True)
class VolumeRecord:
    name: str
    driver: str
    labels: dict[str, str] | None
    options: dict[str, str] | None
    created: float
    anonymous: bool = False
    scope: str = "local"


class VolumeStore:
    """Thread-safe access to the volume metadata database at ``path``."""

    def __init__(self, path: Path) -> None:
        self._db = LockedDB(path, pragmas=("foreign_keys=ON", "busy_timeout=10000"))
        self._db.migrate(SCHEMA_VERSION, _SCHEMA)
        self._tx, self._rows = self._db.tx, self._db.q

    def close(self) -> None:
        self._db.close()

    # -- volumes ---------------------------------------------------------------------
    def insert(self, rec: VolumeRecord) -> bool:
        """Add a volume; False if the name is taken (nothing changes then)."""
        with self._tx() as c:
            cur = c.execute(
                "INSERT OR IGNORE INTO volumes VALUES (?,?,?,?,?,?,?)",
                (rec.name, rec.driver, json.dumps(rec.labels), json.dumps(rec.options),
                 rec.created, int(rec.anonymous), rec.scope))
            return cur.rowcount > 0

    def get(self, name: str) -> VolumeRecord | None:
        rows = self._rows("SELECT * FROM volumes WHERE name=?", (name,))
        return _record(rows[0]) if rows else None

    def all(self) -> list[VolumeRecord]:
        return [_record(r) for r in self._rows("SELECT * FROM volumes ORDER BY name")]

    def delete(self, name: str) -> bool:
        """Drop a volume with its references and mounts."""
        with self._tx() as c:
            return c.execute("DELETE FROM volumes WHERE name=?", (name,)).rowcount > 0

    # -- references and mounts -------------------------------------------------------
    def add_user(self, table: str, name: str, cid: str) -> bool:
        """Record ``cid`` in ``refs`` or ``mounts``; False if it was there already."""
        with self._tx() as c:
            return c.execute(f"INSERT OR IGNORE INTO {_table(table)} VALUES (?,?)",
                             (name, cid)).rowcount > 0

    def remove_user(self, table: str, name: str, cid: str) -> bool:
        with self._tx() as c:
            return c.execute(f"DELETE FROM {_table(table)} WHERE name=? AND cid=?",
                             (name, cid)).rowcount > 0

    def users(self, table: str, name: str) -> list[str]:
        return [str(r[0]) for r in self._rows(
            f"SELECT cid FROM {_table(table)} WHERE name=? ORDER BY cid", (name,))]

    def user_counts(self, table: str) -> dict[str, int]:
        return {str(r[0]): int(r[1]) for r in self._rows(
            f"SELECT name, COUNT(*) FROM {_table(table)} GROUP BY name")}


def _table(name: str) -> str:
    if name not in ("refs", "mounts"):
        raise ValueError(f"no user table {name!r}")
    return name


def _record(row: tuple[object, ...]) -> VolumeRecord:
    return VolumeRecord(name=str(row[0]), driver=str(row[1]),
                        labels=json.loads(str(row[2])), options=json.loads(str(row[3])),
                        created=float(row[4]),  # type: ignore[arg-type]
                        anonymous=bool(row[5]), scope=str(row[6]))
