"""LocalStore internals: sweeping crash leftovers, cross-process locking, layout."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from berth.content import LocalStore
from berth.content._layout import Layout
from berth.errdefs import Unavailable
from berth.oci.digest import sha256


def test_layout_paths(tmp_path: Path) -> None:
    lay = Layout(tmp_path)
    d = sha256(b"x")
    assert lay.blob(d) == tmp_path / "blobs" / "sha256" / d.encoded
    assert lay.ingest_dir("r").parent == tmp_path / "ingest"
    assert lay.ingest_dir("r") != lay.ingest_dir("s")


def test_dead_creation_temps_are_swept(tmp_path: Path) -> None:
    LocalStore(tmp_path)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    (tmp_path / "ingest" / f".tmp-{dead}-abc").mkdir()
    live = tmp_path / "ingest" / f".tmp-{os.getpid()}-abc"
    live.mkdir()
    LocalStore(tmp_path)
    assert os.listdir(tmp_path / "ingest") == [live.name]


def test_committed_leftover_is_swept_and_ref_reusable(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    w = store.writer("r")
    w.write(b"abc")
    w.close()
    # a crash right after the rename into blobs/ leaves the ingest dir without data
    ingest = Layout(tmp_path).ingest_dir("r")
    blob = Layout(tmp_path).blob(sha256(b"abc"))
    blob.parent.mkdir(parents=True)
    os.rename(ingest / "data", blob)
    assert store.list_ingests() == []
    w = store.writer("r")
    assert w.offset == 0
    w.close()
    (ingest / "data").unlink()
    LocalStore(tmp_path)
    assert not ingest.exists()
    assert {i.digest for i in store.walk()} == {sha256(b"abc")}


HOLDER = """
import sys, time
from pathlib import Path
from berth.content import LocalStore
w = LocalStore(Path(sys.argv[1])).writer("shared")
print("held", flush=True)
sys.stdin.readline()
"""


def test_writer_lock_is_across_processes(tmp_path: Path) -> None:
    LocalStore(tmp_path)
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
        with pytest.raises(Unavailable):
            LocalStore(tmp_path).writer("shared")
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait()
    LocalStore(tmp_path).writer("shared").abort()
