"""Holds in one commit, removed without a WAL sync, and listed by owner for the sweep."""

from __future__ import annotations

from pathlib import Path

from berth.metadata import MetadataDB

SNAP, BLOB = "sha256:" + "1" * 64, "sha256:" + "2" * 64


def test_add_holds_remove_unsynced_and_owners(tmp_path: Path) -> None:
    db = MetadataDB(tmp_path / "metadata.db")
    db.add_holds("container/a", [("snapshot", SNAP), ("content", BLOB)])
    db.add_hold("content", BLOB, "container/b")
    assert db.roots() == ({BLOB}, {SNAP})
    assert db.hold_owners() == {"container/a", "container/b"}
    db.remove_holds("container/a", durable=False)
    assert db.hold_owners() == {"container/b"}
    sync = db._conn.execute("PRAGMA synchronous").fetchone()[0]
    assert sync == 2  # FULL again after the relaxed commit
    db.close()
    db = MetadataDB(tmp_path / "metadata.db")  # the unsynced removal survives a reopen
    assert db.hold_owners() == {"container/b"}
    db.close()
