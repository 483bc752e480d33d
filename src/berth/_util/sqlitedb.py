"""One SQLite connection behind a lock, as berth's stores use it (images metadata,
snapshots, networks, volumes): autocommit mode, WAL, ``BEGIN IMMEDIATE`` write
transactions that nest (an inner block joins the outer one), and a schema version in
``PRAGMA user_version`` that a newer berth may raise but an older one refuses to read.

``durable=False`` commits without syncing the WAL (``synchronous=NORMAL``): atomic and
kept across a process crash, but a power loss may roll the last commits back — for
writes whose loss the owner can reconcile (each caller says why).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


class LockedDB:
    def __init__(self, path: Path, *, synchronous: str = "FULL",
                 pragmas: tuple[str, ...] = ()) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.lock = threading.RLock()
        self.conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self._synchronous = synchronous
        for pragma in ("journal_mode=WAL", f"synchronous={synchronous}", *pragmas):
            self.conn.execute(f"PRAGMA {pragma}")

    def migrate(self, version: int, schema: str) -> int:
        """Create what ``schema`` declares (idempotent statements) and record ``version``;
        the version found before (0 for a new file)."""
        with self.tx() as c:
            found = int(c.execute("PRAGMA user_version").fetchone()[0])
            if found > version:
                raise RuntimeError(f"{self.path}: schema version {found} is newer than this "
                                   f"berth understands ({version})")
            for stmt in schema.split(";"):
                if stmt.strip():
                    c.execute(stmt)
            c.execute(f"PRAGMA user_version={version}")
        return found

    @contextmanager
    def tx(self, durable: bool = True) -> Iterator[sqlite3.Connection]:
        """One write transaction (ROLLBACK on error); nested blocks join the outer one."""
        with self.lock:
            if self.conn.in_transaction:
                yield self.conn
                return
            relax = not durable and self._synchronous != "NORMAL"
            if relax:
                self.conn.execute("PRAGMA synchronous=NORMAL")
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self.conn
                except BaseException:
                    self.conn.execute("ROLLBACK")
                    raise
                self.conn.execute("COMMIT")
            finally:
                if relax:
                    self.conn.execute(f"PRAGMA synchronous={self._synchronous}")

    def q(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self.lock:
            return self.conn.execute(sql, args).fetchall()

    def close(self) -> None:
        with self.lock:
            self.conn.close()
