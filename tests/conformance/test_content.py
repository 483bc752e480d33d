"""Content store conformance: every ``berth.content.Store`` implementation runs this suite."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from berth.content import LocalStore
from berth.errdefs import (
    Conflict,
    DataLoss,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    Unavailable,
)
from berth.oci.digest import Digest, sha256

FACTORIES: dict[str, Callable[[Path], LocalStore]] = {"local": LocalStore}


@pytest.fixture(params=sorted(FACTORIES))
def store(request: pytest.FixtureRequest, tmp_path: Path) -> LocalStore:
    return FACTORIES[request.param](tmp_path / "content")


def blobs(store: LocalStore) -> set[Digest]:
    return {i.digest for i in store.walk()}


def test_ingest_bytes_round_trip(store: LocalStore) -> None:
    d = store.ingest_bytes(b"hello")
    assert d == sha256(b"hello")
    assert store.exists(d)
    assert store.info(d).size == 5
    assert store.read_bytes(d) == b"hello"
    with store.open(d) as f:
        assert f.read() == b"hello"
    assert not stat.S_IMODE(store.path(d).stat().st_mode) & 0o222
    assert blobs(store) == {d}
    assert store.disk_usage() == 5
    assert store.list_ingests() == []


def test_sha512_expected(store: LocalStore) -> None:
    want = Digest.from_bytes(b"x" * 100, "sha512")
    assert store.ingest_bytes(b"x" * 100, expected=want) == want
    assert store.read_bytes(want) == b"x" * 100


def test_wrong_digest_keeps_nothing(store: LocalStore) -> None:
    with pytest.raises(DataLoss):
        store.ingest_bytes(b"abc", expected=sha256(b"abd"))
    assert blobs(store) == set()
    assert store.list_ingests() == []


def test_wrong_size_is_invalid(store: LocalStore) -> None:
    w = store.writer("r", total=10)
    w.write(b"12345")
    with pytest.raises(InvalidArgument):
        w.commit()
    with pytest.raises(InvalidArgument):
        w.write(b"123456")
    assert w.offset == 5
    w.write(b"67890")
    assert w.commit() == sha256(b"1234567890")


def test_commit_of_existing_blob_is_success(store: LocalStore) -> None:
    d = store.ingest_bytes(b"same")
    w = store.writer("again")
    w.write(b"same")
    assert w.commit(expected=d) == d
    assert store.list_ingests() == []
    assert blobs(store) == {d}


def test_resume_by_ref(store: LocalStore) -> None:
    want = sha256(b"part1part2")
    with store.writer("layer", expected=want, total=10) as w:
        w.write(b"part1")
    [status] = store.list_ingests()
    assert (status.ref, status.offset, status.total, status.expected) == ("layer", 5, 10, want)
    assert blobs(store) == set()
    w2 = store.writer("layer")
    assert (w2.offset, w2.total) == (5, 10)
    w2.write(b"part2")
    assert w2.commit() == want
    assert store.read_bytes(want) == b"part1part2"


def test_second_writer_on_same_ref_is_unavailable(store: LocalStore) -> None:
    w = store.writer("busy")
    with pytest.raises(Unavailable):
        store.writer("busy")
    with pytest.raises(Unavailable):
        store.abort("busy")
    w.close()
    store.abort("busy")
    assert store.list_ingests() == []


def test_resume_with_other_expectations_conflicts(store: LocalStore) -> None:
    store.writer("r", expected=sha256(b"a"), total=1).close()
    with pytest.raises(Conflict):
        store.writer("r", expected=sha256(b"b"))
    with pytest.raises(Conflict):
        store.writer("r", total=2)
    assert store.writer("r").offset == 0


def test_bad_inputs(store: LocalStore) -> None:
    with pytest.raises(InvalidArgument):
        store.writer("")
    with pytest.raises(InvalidArgument):
        store.writer("r", total=-1)
    with pytest.raises(InvalidArgument):
        store.info(Digest("sha256:" + "z" * 64))
    missing = sha256(b"missing")
    for call in (store.info, store.open, store.read_bytes, store.delete, store.path):
        with pytest.raises(NotFound):
            call(missing)
    with pytest.raises(NotFound):
        store.abort("nothing")
    assert store.list_ingests() == []


def test_closed_writer_refuses(store: LocalStore) -> None:
    w = store.writer("r")
    w.write(b"x")
    w.commit()
    with pytest.raises(FailedPrecondition):
        w.write(b"y")


def test_read_limit(store: LocalStore) -> None:
    d = store.ingest_bytes(b"0123456789")
    with pytest.raises(InvalidArgument):
        store.read_bytes(d, max_size=9)
    assert store.read_bytes(d, max_size=10) == b"0123456789"


def test_corruption_is_detected(store: LocalStore) -> None:
    d = store.ingest_bytes(b"good bytes")
    p = store.path(d)
    p.chmod(0o644)
    p.write_bytes(b"evil bytes")
    with pytest.raises(DataLoss):
        store.read_bytes(d)
    with store.open(d) as f, pytest.raises(DataLoss):
        f.read()


def test_open_supports_seek(store: LocalStore) -> None:
    d = store.ingest_bytes(b"abcdef" * 1000)
    with store.open(d) as f:
        f.seek(3000)
        assert f.read(6) == b"abcdef"
        f.seek(0)
        assert len(f.read()) == 6000


def test_delete(store: LocalStore) -> None:
    a, b = store.ingest_bytes(b"a"), store.ingest_bytes(b"b")
    store.delete(a)
    assert not store.exists(a)
    assert blobs(store) == {b}


def test_stream_ingest(store: LocalStore, tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.write_bytes(os.urandom(3 << 20))
    with src.open("rb") as f:
        d = store.ingest_stream(f, total=3 << 20)
    assert store.info(d).size == 3 << 20
    with src.open("rb") as f, pytest.raises(InvalidArgument):
        store.ingest_stream(f, total=1)
    assert store.list_ingests() == []


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    LocalStore(tmp_path / "c")
    (tmp_path / "c" / "VERSION").write_text("99\n")
    with pytest.raises(FailedPrecondition):
        LocalStore(tmp_path / "c")


CHILD = """
import sys, time
from pathlib import Path
from berth.content import LocalStore
w = LocalStore(Path(sys.argv[1])).writer("crash", total=int(sys.argv[2]))
chunk = b"z" * 65536
while w.offset + len(chunk) < int(sys.argv[2]):  # keeps writing until killed
    w.write(chunk)
    if w.offset == 1 << 20:
        print("ready", flush=True)
while True:
    time.sleep(1)
"""


def _kill_mid_ingest(root: Path, total: int) -> None:
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(root), str(total)],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()


@pytest.mark.parametrize("then", ["resume", "abort"])
def test_sigkill_mid_ingest(tmp_path: Path, then: str) -> None:
    root, total = tmp_path / "content", 64 << 20
    _kill_mid_ingest(root, total)
    store = LocalStore(root)
    assert blobs(store) == set()
    [status] = store.list_ingests()
    assert status.ref == "crash" and 0 < status.offset < total
    if then == "abort":
        store.abort("crash")
        assert store.list_ingests() == []
        return
    w = store.writer("crash")
    w.write(b"z" * (total - w.offset))
    assert w.commit() == sha256(b"z" * total)
    assert store.list_ingests() == []


class IngestMachine(RuleBasedStateMachine):
    """Model: ref -> bytes written so far; committed digests -> bytes."""

    def __init__(self) -> None:
        super().__init__()
        import tempfile
        self._tmp = tempfile.TemporaryDirectory()
        self.store = LocalStore(Path(self._tmp.name))
        self.ingests: dict[str, bytes] = {}
        self.committed: dict[Digest, bytes] = {}

    refs = st.sampled_from(["a", "b", "layer-sha256:1"])

    @rule(ref=refs, data=st.binary(max_size=300))
    def write(self, ref: str, data: bytes) -> None:
        with self.store.writer(ref) as w:
            assert w.offset == len(self.ingests.get(ref, b""))
            w.write(data)
        self.ingests[ref] = self.ingests.get(ref, b"") + data

    @precondition(lambda self: self.ingests)
    @rule(data=st.data())
    def abort(self, data: st.DataObject) -> None:
        ref = data.draw(st.sampled_from(sorted(self.ingests)))
        self.store.abort(ref)
        del self.ingests[ref]

    @precondition(lambda self: self.ingests)
    @rule(data=st.data(), lie=st.booleans())
    def commit(self, data: st.DataObject, lie: bool) -> None:
        ref = data.draw(st.sampled_from(sorted(self.ingests)))
        content = self.ingests[ref]
        w = self.store.writer(ref)
        if lie:
            with pytest.raises(DataLoss):
                w.commit(expected=sha256(content + b"!"))
            w.close()
            return
        d = w.commit(expected=sha256(content), size=len(content))
        self.committed[d] = content
        del self.ingests[ref]

    @invariant()
    def store_matches_model(self) -> None:
        assert {s.ref: s.offset for s in self.store.list_ingests()} == {
            r: len(b) for r, b in self.ingests.items()}
        assert blobs(self.store) == set(self.committed)

    def teardown(self) -> None:
        self._tmp.cleanup()


TestIngestMachine = IngestMachine.TestCase
TestIngestMachine.settings = settings(max_examples=30, stateful_step_count=15, deadline=None,
                                      suppress_health_check=[HealthCheck.too_slow])
