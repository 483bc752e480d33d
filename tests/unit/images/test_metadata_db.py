from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from berth.errdefs import FailedPrecondition, NotFound
from berth.metadata import SCHEMA_VERSION, ImageRecord, LayerRecord, MetadataDB

A, B = "sha256:" + "a" * 64, "sha256:" + "b" * 64
LAYER = LayerRecord(A, A, "sha256:" + "c" * 64, "application/vnd.oci.image.layer.v1.tar",
                    10, 10, 8)


def test_schema_version_and_reopen(tmp_path: Path) -> None:
    db = MetadataDB(tmp_path / "metadata.db")
    assert db.schema_version == SCHEMA_VERSION
    db.put_image(ImageRecord(id=B, loaded_at=1.0, layers=(LAYER,), blobs=(A,),
                             labels={"k": "v"}, top_chain=A))
    db.close()
    db = MetadataDB(tmp_path / "metadata.db")
    rec = db.image(B)
    assert rec.layers == (LAYER,) and rec.blobs == (A,) and rec.labels == {"k": "v"}
    assert db.roots() == ({B, A, LAYER.blob}, {A})
    db.close()


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "metadata.db")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(FailedPrecondition, match="newer than this berth"):
        MetadataDB(tmp_path / "metadata.db")


def test_refs_cascade_and_holds(tmp_path: Path) -> None:
    db = MetadataDB(tmp_path / "m.db")
    db.put_image(ImageRecord(id=B, loaded_at=1.0))
    assert db.set_ref("docker.io/library/x:1", B, "tag", 1.0) is None
    assert db.set_ref("docker.io/library/x:1", B, "tag", 2.0) == B
    assert [r.name for r in db.refs_of(B)] == ["docker.io/library/x:1"]
    db.add_hold("snapshot", "sha256:" + "d" * 64, "container-1")
    assert "sha256:" + "d" * 64 in db.roots()[1]
    db.remove_holds("container-1")
    db.delete_image(B)
    assert db.all_refs() == [] and db.get_image(B) is None
    with pytest.raises(NotFound, match="No such image"):
        db.image(B)
    db.close()


def test_failed_transaction_changes_nothing(tmp_path: Path) -> None:
    db = MetadataDB(tmp_path / "m.db")
    with pytest.raises(RuntimeError), db.transaction():
        db.put_image(ImageRecord(id=B, loaded_at=1.0))
        db.set_ref("docker.io/library/x:1", B, "tag", 1.0)
        raise RuntimeError("boom")
    assert db.list_images() == [] and db.all_refs() == []
    db.close()


def test_threads_share_one_db(tmp_path: Path) -> None:
    db = MetadataDB(tmp_path / "m.db")
    db.put_image(ImageRecord(id=B, loaded_at=1.0))

    def tag(n: int) -> None:
        for i in range(20):
            db.set_ref(f"docker.io/library/t{n}:{i}", B, "tag", float(i))

    threads = [threading.Thread(target=tag, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(db.refs_of(B)) == 80
    db.close()
