"""The snapshot metastore: schema versioning and transactions."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from berth.errdefs import Conflict, FailedPrecondition, NotFound
from berth.snapshots import Kind
from berth.snapshots._metastore import SCHEMA_VERSION, MetaStore


def test_schema_version_and_wal(tmp_path: Path) -> None:
    MetaStore(tmp_path / "m.db").close()
    db = sqlite3.connect(tmp_path / "m.db")
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.execute("PRAGMA user_version=99")
    db.close()
    with pytest.raises(FailedPrecondition):
        MetaStore(tmp_path / "m.db")


def test_rollback_on_error(tmp_path: Path) -> None:
    m = MetaStore(tmp_path / "m.db")
    with pytest.raises(RuntimeError), m.transaction() as db:
        m.insert(db, "a", Kind.ACTIVE, None)
        raise RuntimeError("boom")
    with pytest.raises(NotFound):
        m.get("a")
    with m.transaction() as db:
        sid = m.insert(db, "a", Kind.COMMITTED, None)
        m.insert(db, "b", Kind.ACTIVE, sid)
    with pytest.raises(Conflict), m.transaction() as db:
        m.insert(db, "a", Kind.ACTIVE, None)
    with pytest.raises(Conflict), m.transaction() as db:
        m.delete(db, m.get("a"))
    assert [r.key for r in m.chain(m.get("b"))] == ["a"]
    m.close()


def test_ids_are_never_reused(tmp_path: Path) -> None:
    m = MetaStore(tmp_path / "m.db")
    with m.transaction() as db:
        first = m.insert(db, "a", Kind.ACTIVE, None)
    with m.transaction() as db:
        m.delete(db, m.get("a"))
    with m.transaction() as db:
        assert m.insert(db, "a", Kind.ACTIVE, None) > first
    m.close()
