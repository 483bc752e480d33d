"""The SQLite store: rows, users, cascade, schema version, reopening."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from berth.volumes.store import SCHEMA_VERSION, VolumeRecord, VolumeStore


def test_roundtrip_and_users(tmp_path: Path) -> None:
    s = VolumeStore(tmp_path / "metadata.db")
    rec = VolumeRecord("v1", "local", {"a": "b"}, None, 12.5, True, "local")
    assert s.insert(rec)
    assert not s.insert(rec)  # the name is taken: nothing changes
    assert s.get("v1") == rec
    assert s.add_user("refs", "v1", "c1") and not s.add_user("refs", "v1", "c1")
    s.add_user("refs", "v1", "c0")
    s.add_user("mounts", "v1", "c1")
    assert s.users("refs", "v1") == ["c0", "c1"]
    assert s.user_counts("refs") == {"v1": 2}
    s.close()
    s = VolumeStore(tmp_path / "metadata.db")
    assert s.get("v1") == rec and s.users("mounts", "v1") == ["c1"]
    assert s.delete("v1")
    assert s.users("refs", "v1") == [] and s.all() == []
    s.close()


def test_schema_version_and_wal(tmp_path: Path) -> None:
    VolumeStore(tmp_path / "m.db").close()
    conn = sqlite3.connect(tmp_path / "m.db")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.execute("PRAGMA user_version=99")
    conn.commit()
    conn.close()
    with pytest.raises(RuntimeError, match="newer"):
        VolumeStore(tmp_path / "m.db")


def test_unknown_user_table(tmp_path: Path) -> None:
    s = VolumeStore(tmp_path / "m.db")
    with pytest.raises(ValueError):
        s.users("volumes; DROP TABLE volumes", "x")
    s.close()
