"""network.db: networks, endpoints, address allocations, port mappings, legacy links
(SQLite, WAL).

The DB is the truth the kernel is made to match (``NetworkService.recover``). Every change
is one transaction, so a kill -9 leaves either the old or the new state; an address row
exists exactly while someone holds the address, which is what makes double allocation
impossible, also across restarts.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from berth._util.sqlitedb import LockedDB

SCHEMA_VERSION = 2
SCHEMA = """
CREATE TABLE IF NOT EXISTS networks (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE,
                                     doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS endpoints (id TEXT PRIMARY KEY, cid TEXT NOT NULL,
    network_id TEXT NOT NULL, doc TEXT NOT NULL, UNIQUE (cid, network_id));
CREATE TABLE IF NOT EXISTS addrs (network_id TEXT NOT NULL, addr TEXT NOT NULL,
    owner TEXT NOT NULL, PRIMARY KEY (network_id, addr));
CREATE TABLE IF NOT EXISTS cursors (network_id TEXT NOT NULL, family INTEGER NOT NULL,
    last TEXT NOT NULL, PRIMARY KEY (network_id, family));
CREATE TABLE IF NOT EXISTS ports (host_ip TEXT NOT NULL, proto TEXT NOT NULL,
    host_port INTEGER NOT NULL, cid TEXT NOT NULL, doc TEXT NOT NULL,
    PRIMARY KEY (host_ip, proto, host_port));
CREATE TABLE IF NOT EXISTS prefs (cid TEXT NOT NULL, network_id TEXT NOT NULL,
    v4 TEXT NOT NULL, v6 TEXT NOT NULL, PRIMARY KEY (cid, network_id));
CREATE TABLE IF NOT EXISTS links (cid TEXT NOT NULL, target TEXT NOT NULL,
    proto TEXT NOT NULL, port INTEGER NOT NULL, PRIMARY KEY (cid, target, proto, port));
"""


class NetStore:
    """``synchronous=NORMAL``: commits are atomic and survive a kill -9 without an fsync
    each; what a power loss rolls back, ``recover`` reconciles (docs/design/network.md)."""

    def __init__(self, path: Path) -> None:
        self._db = LockedDB(path, synchronous="NORMAL")
        self._db.migrate(SCHEMA_VERSION, SCHEMA)
        self._nets: list[str] | None = None  # committed network docs (every start reads them)
        self._ids: dict[str, str] | None = None  # their names -> ids
        # committed endpoint rows (cid, network id, doc): a container list reads one per
        # running container
        self._eps: list[tuple[str, str, str]] | None = None
        self._links: list[tuple[str, str, str, int]] | None = None

    def close(self) -> None:
        self._db.close()

    def tx(self) -> AbstractContextManager[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE … COMMIT, ROLLBACK on error)."""
        return self._db.tx()

    def q(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return self._db.q(sql, args)

    # -- networks ----------------------------------------------------------------------
    def networks(self) -> list[dict[str, Any]]:
        """Fresh dicts (callers may change them) from a cache of the committed rows: only
        this class writes the table, each write empties the cache, and nothing read
        inside an open transaction is kept (a rollback cannot leave it stale)."""
        with self._db.lock:
            docs = self._nets
            if docs is None:
                docs = [d for (d,) in self.q("SELECT doc FROM networks ORDER BY name")]
                if not self._db.conn.in_transaction:
                    self._nets = docs
        return [json.loads(d) for d in docs]

    def network_ids(self) -> dict[str, str]:
        """Network name -> id, from the same cache (not to be changed by callers)."""
        with self._db.lock:
            ids = self._ids
            if ids is None:
                ids = {n["Name"]: n["Id"] for n in self.networks()}
                if self._nets is not None:  # cached only with the docs it came from
                    self._ids = ids
        return ids

    def put_network(self, db: sqlite3.Connection, net: dict[str, Any]) -> None:
        self._nets = self._ids = None
        db.execute("INSERT OR REPLACE INTO networks VALUES (?, ?, ?)",
                   (net["Id"], net["Name"], json.dumps(net)))

    def delete_network(self, db: sqlite3.Connection, nid: str) -> None:
        self._nets = self._ids = None
        for table in ("networks", "addrs", "cursors"):
            col = "id" if table == "networks" else "network_id"
            db.execute(f"DELETE FROM {table} WHERE {col} = ?", (nid,))
        db.execute("DELETE FROM prefs WHERE network_id = ?", (nid,))

    # -- endpoints ---------------------------------------------------------------------
    def endpoints(self, cid: str | None = None, nid: str | None = None) -> list[dict[str, Any]]:
        """Fresh dicts, from a cache of the committed rows kept as ``networks()`` keeps
        its own (every write below empties it)."""
        with self._db.lock:
            rows = self._eps
            if rows is None:
                rows = [(str(c), str(n), str(d)) for c, n, d in self.q(
                    "SELECT cid, network_id, doc FROM endpoints ORDER BY rowid")]
                if not self._db.conn.in_transaction:
                    self._eps = rows
        return [json.loads(d) for c, n, d in rows
                if (cid is None or c == cid) and (nid is None or n == nid)]

    def delete_endpoint(self, db: sqlite3.Connection, eid: str) -> None:
        self._eps = None
        db.execute("DELETE FROM endpoints WHERE id = ?", (eid,))

    def put_endpoint(self, db: sqlite3.Connection, ep: dict[str, Any]) -> None:
        self._eps = None
        db.execute("INSERT OR REPLACE INTO endpoints VALUES (?, ?, ?, ?)",
                   (ep["id"], ep["cid"], ep["network_id"], json.dumps(ep)))

    # -- legacy links (version 2) ------------------------------------------------------
    def links(self, cid: str | None = None) -> list[tuple[str, str, str, int]]:
        """(linking cid, target cid, proto, port) rows; ``cid``: those it is part of."""
        with self._db.lock:  # cached like networks(): every start asks, few have links
            rows = self._links
            if rows is None:
                rows = [(str(a), str(b), str(c), int(d)) for a, b, c, d in self.q(
                    "SELECT cid, target, proto, port FROM links ORDER BY rowid")]
                if not self._db.conn.in_transaction:
                    self._links = rows
        return list(rows) if cid is None else [r for r in rows if cid in (r[0], r[1])]

    def set_links(self, db: sqlite3.Connection, cid: str,
                  rows: list[tuple[str, str, int]]) -> None:
        self.drop_links(db, cid)
        db.executemany("INSERT INTO links VALUES (?, ?, ?, ?)", [(cid, *r) for r in rows])

    def drop_links(self, db: sqlite3.Connection, cid: str, as_target: bool = False) -> None:
        """``cid``'s own links (and, ``as_target``, the links to it)."""
        self._links = None
        db.execute("DELETE FROM links WHERE cid = ? OR (? AND target = ?)",
                   (cid, as_target, cid))

    # -- ports -------------------------------------------------------------------------
    def ports(self, cid: str | None = None) -> list[dict[str, Any]]:
        if cid is None:
            rows = self.q("SELECT doc FROM ports ORDER BY rowid")
        else:
            rows = self.q("SELECT doc FROM ports WHERE cid = ? ORDER BY rowid", (cid,))
        return [json.loads(d) for (d,) in rows]
