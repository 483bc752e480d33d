"""Layout of ``<data-root>/metadata.db`` and its migrations.

SQLite in WAL mode; ``PRAGMA user_version`` holds the schema version. Tables (v1)::

    images(id PK = config digest "sha256:…", created TEXT (config RFC3339),
           loaded_at REAL, last_tag_time REAL, target_digest TEXT (manifest/index it came
           from, "" if synthesised), target_media_type TEXT, platform TEXT "os/arch[/v]",
           labels TEXT (JSON), parent TEXT (image id or ""), top_chain TEXT (chain ID of the
           rootfs, "" for no layers), size INTEGER (bytes unpacked))
    image_layers(image_id → images ON DELETE CASCADE, idx, diff_id, chain_id,
           blob (content digest of the stored layer), media_type, blob_size,
           tar_size (uncompressed), size (unpacked bytes); PK (image_id, idx))
    image_blobs(image_id → images ON DELETE CASCADE, digest)   -- manifests, indexes
    refs(name PK, image_id → images ON DELETE CASCADE, kind 'tag'|'digest', created REAL)
           -- name is the full reference: docker.io/library/busybox:latest, name@sha256:…
    holds(kind 'content'|'snapshot', key, owner; PK all three)
           -- GC roots held by others (containers, builds) besides images

Every change runs in one transaction, so a crash leaves either the old or the new state.
Blobs and snapshots are written *before* the rows that reference them and removed *after*
(by GC), so rows never point at missing data and leftovers are only unreferenced data.
"""

from __future__ import annotations

import sqlite3

from berth.errdefs import FailedPrecondition

SCHEMA_VERSION = 1

_V1 = """
CREATE TABLE images (
    id TEXT PRIMARY KEY,
    created TEXT NOT NULL DEFAULT '',
    loaded_at REAL NOT NULL,
    last_tag_time REAL,
    target_digest TEXT NOT NULL DEFAULT '',
    target_media_type TEXT NOT NULL DEFAULT '',
    platform TEXT NOT NULL DEFAULT '',
    labels TEXT NOT NULL DEFAULT '{}',
    parent TEXT NOT NULL DEFAULT '',
    top_chain TEXT NOT NULL DEFAULT '',
    size INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE image_layers (
    image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    diff_id TEXT NOT NULL,
    chain_id TEXT NOT NULL,
    blob TEXT NOT NULL,
    media_type TEXT NOT NULL,
    blob_size INTEGER NOT NULL,
    tar_size INTEGER NOT NULL,
    size INTEGER NOT NULL,
    PRIMARY KEY (image_id, idx)
);
CREATE INDEX image_layers_chain ON image_layers(chain_id);
CREATE TABLE image_blobs (
    image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    digest TEXT NOT NULL,
    PRIMARY KEY (image_id, digest)
);
CREATE TABLE refs (
    name TEXT PRIMARY KEY,
    image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('tag', 'digest')),
    created REAL NOT NULL
);
CREATE INDEX refs_image ON refs(image_id);
CREATE TABLE holds (
    kind TEXT NOT NULL CHECK (kind IN ('content', 'snapshot')),
    key TEXT NOT NULL,
    owner TEXT NOT NULL,
    PRIMARY KEY (kind, key, owner)
);
"""

# Index i migrates version i to i+1.
MIGRATIONS: list[str] = [_V1]


def migrate(conn: sqlite3.Connection) -> None:
    """Bring the schema to SCHEMA_VERSION, one transaction per step."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise FailedPrecondition(
            f"metadata.db has schema version {version}, newer than this berth ({SCHEMA_VERSION})")
    for v in range(version, SCHEMA_VERSION):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for stmt in MIGRATIONS[v].split(";"):
                if stmt.strip():
                    conn.execute(stmt)
            conn.execute(f"PRAGMA user_version = {v + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
