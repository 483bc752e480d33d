"""The metadata database: one SQLite file, thread-safe, transactional (layout: schema.py).

One connection is shared by all threads behind a lock (the image service runs in a thread
pool); every write is a ``BEGIN IMMEDIATE`` transaction, so readers see whole changes only.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import AbstractContextManager
from pathlib import Path

from berth._util.sqlitedb import LockedDB
from berth.errdefs import NotFound
from berth.metadata import schema
from berth.metadata.records import ImageRecord, LayerRecord, RefRecord

_IMAGE_COLS = ("id, created, loaded_at, last_tag_time, target_digest, target_media_type, "
               "platform, labels, parent, top_chain, size")


class MetadataDB:
    """Images, references and GC holds, stored in ``path`` (usually data-root/metadata.db)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._sql = LockedDB(path, pragmas=("foreign_keys=ON", "busy_timeout=10000"))
        self._conn, self._lock = self._sql.conn, self._sql.lock
        with self._lock:
            schema.migrate(self._conn)

    def close(self) -> None:
        self._sql.close()

    @property
    def schema_version(self) -> int:
        with self._lock:
            return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def transaction(self, durable: bool = True) -> AbstractContextManager[sqlite3.Connection]:
        """One atomic write; nests (inner blocks join the outer transaction);
        ``durable=False``: see ``berth._util.sqlitedb``."""
        return self._sql.tx(durable)

    def _query(self, sql: str, args: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        with self._lock:
            return list(self._conn.execute(sql, args).fetchall())

    # -- images ---------------------------------------------------------------------------

    def put_image(self, rec: ImageRecord) -> None:
        """Insert or replace an image with its layers and blobs (refs are kept)."""
        with self.transaction() as c:
            c.execute(
                "INSERT INTO images (" + _IMAGE_COLS + ") VALUES (?,?,?,?,?,?,?,?,?,?,?) "
                "ON CONFLICT(id) DO UPDATE SET target_digest=excluded.target_digest, "
                "target_media_type=excluded.target_media_type",
                (rec.id, rec.created, rec.loaded_at, rec.last_tag_time, rec.target_digest,
                 rec.target_media_type, rec.platform, json.dumps(rec.labels), rec.parent,
                 rec.top_chain, rec.size))
            c.execute("DELETE FROM image_layers WHERE image_id=?", (rec.id,))
            c.executemany(
                "INSERT INTO image_layers VALUES (?,?,?,?,?,?,?,?,?)",
                [(rec.id, i, ly.diff_id, ly.chain_id, ly.blob, ly.media_type, ly.blob_size,
                  ly.tar_size, ly.size) for i, ly in enumerate(rec.layers)])
            c.executemany("INSERT OR IGNORE INTO image_blobs VALUES (?,?)",
                          [(rec.id, d) for d in rec.blobs])

    def get_image(self, image_id: str) -> ImageRecord | None:
        rows = self._query(f"SELECT {_IMAGE_COLS} FROM images WHERE id=?", (image_id,))
        return self._image(rows[0]) if rows else None

    def image(self, image_id: str) -> ImageRecord:
        rec = self.get_image(image_id)
        if rec is None:
            raise NotFound(f"No such image: {image_id}")
        return rec

    def list_images(self) -> list[ImageRecord]:
        rows = self._query(f"SELECT {_IMAGE_COLS} FROM images ORDER BY loaded_at, id")
        return [self._image(r) for r in rows]

    def ids_with_prefix(self, hex_prefix: str) -> list[str]:
        pattern = "sha256:" + hex_prefix.replace("%", "").replace("_", "") + "%"
        return [str(r[0]) for r in self._query("SELECT id FROM images WHERE id LIKE ?",
                                                (pattern,))]

    def delete_image(self, image_id: str) -> None:
        with self.transaction() as c:
            c.execute("DELETE FROM images WHERE id=?", (image_id,))

    def set_last_tag_time(self, image_id: str, when: float) -> None:
        with self.transaction() as c:
            c.execute("UPDATE images SET last_tag_time=? WHERE id=?", (when, image_id))

    def children(self, image_id: str) -> list[str]:
        return [str(r[0]) for r in self._query("SELECT id FROM images WHERE parent=?",
                                                (image_id,))]

    def tar_size_of_chain(self, chain_id: str) -> int:
        """Uncompressed tar size recorded for a layer chain by any image (0 if none)."""
        rows = self._query("SELECT tar_size FROM image_layers WHERE chain_id=? LIMIT 1",
                           (chain_id,))
        return int(rows[0][0]) if rows else 0  # type: ignore[call-overload]

    def _image(self, row: tuple[object, ...]) -> ImageRecord:
        image_id = str(row[0])
        layers = tuple(
            LayerRecord(str(r[0]), str(r[1]), str(r[2]), str(r[3]), int(r[4]),  # type: ignore[call-overload]
                        int(r[5]), int(r[6]))  # type: ignore[call-overload]
            for r in self._query(
                "SELECT diff_id, chain_id, blob, media_type, blob_size, tar_size, size "
                "FROM image_layers WHERE image_id=? ORDER BY idx", (image_id,)))
        blobs = tuple(str(r[0]) for r in self._query(
            "SELECT digest FROM image_blobs WHERE image_id=? ORDER BY digest", (image_id,)))
        return ImageRecord(
            id=image_id, created=str(row[1]), loaded_at=float(row[2]),  # type: ignore[arg-type]
            last_tag_time=None if row[3] is None else float(row[3]),  # type: ignore[arg-type]
            target_digest=str(row[4]), target_media_type=str(row[5]), platform=str(row[6]),
            labels=json.loads(str(row[7])), parent=str(row[8]), top_chain=str(row[9]),
            size=int(row[10]), layers=layers, blobs=blobs)  # type: ignore[call-overload]

    # -- references -----------------------------------------------------------------------

    def set_ref(self, name: str, image_id: str, kind: str, when: float) -> str | None:
        """Point ``name`` at ``image_id``; returns the image it pointed at before, if any."""
        with self.transaction() as c:
            row = c.execute("SELECT image_id FROM refs WHERE name=?", (name,)).fetchone()
            c.execute("INSERT INTO refs VALUES (?,?,?,?) ON CONFLICT(name) DO UPDATE SET "
                      "image_id=excluded.image_id, created=excluded.created",
                      (name, image_id, kind, when))
            return None if row is None else str(row[0])

    def delete_ref(self, name: str) -> bool:
        with self.transaction() as c:
            return c.execute("DELETE FROM refs WHERE name=?", (name,)).rowcount > 0

    def get_ref(self, name: str) -> RefRecord | None:
        rows = self._query("SELECT name, image_id, kind, created FROM refs WHERE name=?",
                           (name,))
        return _ref(rows[0]) if rows else None

    def refs_of(self, image_id: str) -> list[RefRecord]:
        return [_ref(r) for r in self._query(
            "SELECT name, image_id, kind, created FROM refs WHERE image_id=? "
            "ORDER BY created, name", (image_id,))]

    def all_refs(self) -> list[RefRecord]:
        return [_ref(r) for r in self._query(
            "SELECT name, image_id, kind, created FROM refs ORDER BY created, name")]

    # -- GC roots -------------------------------------------------------------------------

    def add_hold(self, kind: str, key: str, owner: str) -> None:
        """Keep a blob (kind 'content') or snapshot ('snapshot') alive for ``owner``."""
        self.add_holds(owner, [(kind, key)])

    def add_holds(self, owner: str, holds: list[tuple[str, str]]) -> None:
        """Several ``(kind, key)`` holds for ``owner`` in one commit (one WAL sync)."""
        with self.transaction() as c:
            c.executemany("INSERT OR IGNORE INTO holds VALUES (?,?,?)",
                          [(kind, key, owner) for kind, key in holds])

    def remove_holds(self, owner: str, durable: bool = True) -> None:
        """Drop ``owner``'s holds. ``durable=False`` (see ``transaction``): a hold that
        comes back after a power loss only delays GC until its owner is swept."""
        with self.transaction(durable) as c:
            c.execute("DELETE FROM holds WHERE owner=?", (owner,))

    def hold_owners(self) -> set[str]:
        """Every owner holding something (to sweep holds whose owner is gone)."""
        return {str(r[0]) for r in self._query("SELECT DISTINCT owner FROM holds")}

    def roots(self) -> tuple[set[str], set[str]]:
        """(blob digests, snapshot chain IDs) that GC must keep."""
        with self.transaction() as c:
            blobs = {str(r[0]) for r in c.execute(
                "SELECT id FROM images UNION SELECT blob FROM image_layers "
                "UNION SELECT digest FROM image_blobs "
                "UNION SELECT key FROM holds WHERE kind='content'")}
            snaps = {str(r[0]) for r in c.execute(
                "SELECT chain_id FROM image_layers "
                "UNION SELECT key FROM holds WHERE kind='snapshot'")}
        return blobs, snaps


def _ref(row: tuple[object, ...]) -> RefRecord:
    return RefRecord(str(row[0]), str(row[1]), str(row[2]), float(row[3]))  # type: ignore[arg-type]
