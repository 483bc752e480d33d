"""Snapshotter conformance: every ``berth.snapshots.Snapshotter`` runs this suite.

Tests that mount are root-only; overlay needs root throughout (whiteouts are device nodes).
"""

from __future__ import annotations

import errno
import io
import os
import stat
import tarfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from berth.errdefs import Conflict, FailedPrecondition, InvalidArgument, NotFound, Unavailable
from berth.mount import mount_all, unmount_all
from berth.snapshots import Kind, NativeSnapshotter, OverlaySnapshotter
from berth.snapshots._base import DirSnapshotter
from berth.snapshots._metastore import MetaStore
from berth.testing.waiting import wait_for

ROOT = os.geteuid() == 0
needs_root = [pytest.mark.root, pytest.mark.skipif(not ROOT, reason="needs root")]
FACTORIES: dict[str, Callable[[Path], DirSnapshotter]] = {
    "native": NativeSnapshotter, "overlay": OverlaySnapshotter}


@pytest.fixture(params=[pytest.param("native"), pytest.param("overlay", marks=needs_root)])
def sn(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DirSnapshotter]:
    s = FACTORIES[request.param](tmp_path / "snap")
    yield s
    s.close()


@contextmanager
def mounted(sn: DirSnapshotter, key: str, target: Path) -> Iterator[Path]:
    target.mkdir(exist_ok=True)
    mount_all(sn.mounts(key), target)
    try:
        yield target
    finally:
        unmount_all(target, detach=True)


def delete_path(sn: DirSnapshotter, upper: Path, name: str) -> None:
    """What ``archive.apply_layer`` does for a whiteout, in the snapshotter's mode."""
    if sn.whiteout_mode == "overlay":
        os.mknod(upper / name, stat.S_IFCHR | 0o000, os.makedev(0, 0))
    else:
        os.unlink(upper / name)


def layer(sn: DirSnapshotter, name: str, parent: str | None, files: dict[str, str],
          delete: tuple[str, ...] = ()) -> None:
    """Make committed snapshot ``name`` on ``parent`` with ``files`` written, ``delete`` gone."""
    sn.prepare(f"extract-{name}", parent)
    upper = sn.upper_dir(f"extract-{name}")
    for path, text in files.items():
        (upper / path).write_text(text)
    for path in delete:
        delete_path(sn, upper, path)
    sn.commit(name, f"extract-{name}")


def keys(sn: DirSnapshotter) -> dict[str, tuple[Kind, str | None]]:
    return {i.key: (i.kind, i.parent) for i in sn.walk()}


def test_lifecycle(sn: DirSnapshotter) -> None:
    [m] = sn.prepare("a")
    assert m.type == "bind" and "rw" in m.options
    (sn.upper_dir("a") / "f").write_text("1")
    sn.commit("sha256:l1", "a")
    assert sn.stat("sha256:l1").kind is Kind.COMMITTED
    with pytest.raises(NotFound):
        sn.stat("a")
    sn.prepare("b", "sha256:l1")
    sn.view("v", "sha256:l1")
    assert keys(sn) == {"sha256:l1": (Kind.COMMITTED, None), "b": (Kind.ACTIVE, "sha256:l1"),
                        "v": (Kind.VIEW, "sha256:l1")}
    sn.remove("b")
    sn.remove("v")
    sn.remove("sha256:l1")
    assert keys(sn) == {}
    # the directories are renamed to .rm-<id> at once and deleted in the background
    assert all(n.startswith(".rm-") for n in os.listdir(sn.root / "snapshots"))
    wait_for(lambda: os.listdir(sn.root / "snapshots") == [], 10, "the trash emptied")


def test_bad_requests_change_nothing(sn: DirSnapshotter) -> None:
    layer(sn, "l1", None, {"f": "1"})
    sn.prepare("act", "l1")
    sn.view("v", "l1")
    before = keys(sn)
    bad: list[tuple[type[Exception], Callable[[], object]]] = [
        (Conflict, lambda: sn.prepare("act")),
        (NotFound, lambda: sn.prepare("x", "missing")),
        (FailedPrecondition, lambda: sn.prepare("x", "act")),
        (FailedPrecondition, lambda: sn.commit("y", "v")),
        (FailedPrecondition, lambda: sn.commit("y", "l1")),
        (Conflict, lambda: sn.commit("l1", "act")),
        (Conflict, lambda: sn.remove("l1")),
        (NotFound, lambda: sn.remove("missing")),
        (NotFound, lambda: sn.commit("y", "missing")),
        (InvalidArgument, lambda: sn.prepare("")),
        (InvalidArgument, lambda: sn.commit("", "act")),
        (FailedPrecondition, lambda: sn.upper_dir("l1")),
        (FailedPrecondition, lambda: sn.upper_dir("v")),
        (FailedPrecondition, lambda: sn.mounts("l1")),
    ]
    for exc, call in bad:
        with pytest.raises(exc):
            call()
        assert keys(sn) == before
    assert sorted(os.listdir(sn.root / "snapshots")) == sorted(
        str(r.id) for r in sn._meta.rows())


def test_labels(sn: DirSnapshotter) -> None:
    sn.prepare("a", labels={"x": "1"})
    assert sn.stat("a").labels == {"x": "1"}
    sn.commit("c", "a", labels={"y": "2"})
    assert sn.stat("c").labels == {"x": "1", "y": "2"}
    info = sn.update_labels("c", {"x": None, "z": "3"})
    assert info.labels == {"y": "2", "z": "3"}
    assert info.updated is not None and info.created is not None
    assert info.updated >= info.created
    with pytest.raises(NotFound):
        sn.update_labels("missing", {"a": "b"})


def test_usage(sn: DirSnapshotter) -> None:
    sn.prepare("a")
    (sn.upper_dir("a") / "big").write_bytes(b"x" * 65536)
    live = sn.usage("a")
    sn.commit("c", "a")
    assert sn.usage("c") == live
    assert live.size >= 65536 and live.inodes >= 2


def test_state_survives_reopen(sn: DirSnapshotter, tmp_path: Path) -> None:
    layer(sn, "l1", None, {"f": "1"})
    mounts = sn.prepare("act", "l1", labels={"k": "v"})
    before = list(sn.walk())
    with pytest.raises(Unavailable):
        type(sn)(sn.root)
    sn.close()
    again = type(sn)(sn.root)
    try:
        assert list(again.walk()) == before
        assert again.mounts("act") == mounts
    finally:
        again.close()


def test_crash_leftovers_are_swept(sn: DirSnapshotter) -> None:
    layer(sn, "l1", None, {"f": "1"})
    sn.close()
    snaps = sn.root / "snapshots"
    for leftover in (".new-deadbeef", ".rm-7", "999"):
        (snaps / leftover / "fs").mkdir(parents=True)
    again = type(sn)(sn.root)
    try:
        assert sorted(os.listdir(snaps)) == [str(r.id) for r in again._meta.rows()]
        assert (again._fs(again._meta.get("l1").id) / "f").read_text() == "1"
    finally:
        again.close()


def test_failure_inside_transaction_leaves_nothing(sn: DirSnapshotter,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object) -> None:
        raise OSError(errno.EIO, "disk on fire")
    monkeypatch.setattr(MetaStore, "set_labels", staticmethod(boom))
    with pytest.raises(OSError):
        sn.prepare("a", labels={"x": "1"})
    assert keys(sn) == {}
    assert os.listdir(sn.root / "snapshots") == []


@pytest.mark.root
@pytest.mark.skipif(not ROOT, reason="needs root")
def test_layers_stack_through_mounts(sn: DirSnapshotter, tmp_path: Path) -> None:
    layer(sn, "l1", None, {"a": "1", "b": "1"})
    layer(sn, "l2", "l1", {"b": "2", "c": "2"}, delete=("a",))
    sn.prepare("ctr", "l2")
    with mounted(sn, "ctr", tmp_path / "rootfs") as root:
        assert sorted(os.listdir(root)) == ["b", "c"]
        assert (root / "b").read_text() == "2"
        (root / "d").write_text("ctr")
    sn.view("v", "l2")
    with mounted(sn, "v", tmp_path / "view") as view:
        assert sorted(os.listdir(view)) == ["b", "c"]
        with pytest.raises(OSError) as e:
            (view / "x").write_text("no")
        assert e.value.errno == errno.EROFS
    with mounted(sn, "ctr", tmp_path / "rootfs") as root:
        assert (root / "d").read_text() == "ctr"


@pytest.mark.root
@pytest.mark.skipif(not ROOT, reason="needs root")
def test_many_layers(sn: DirSnapshotter, tmp_path: Path) -> None:
    """128 layers for overlay (past the mount data page); copies cost O(n²), so 40 for native."""
    n = 128 if sn.whiteout_mode == "overlay" else 40
    parent = None
    for i in range(n):
        layer(sn, f"sha256:{i:064x}", parent, {f"f{i}": str(i), "top": str(i)})
        parent = f"sha256:{i:064x}"
    sn.prepare("ctr", parent)
    sn.view("v", parent)
    for key in ("ctr", "v"):
        with mounted(sn, key, tmp_path / key) as root:
            assert len(os.listdir(root)) == n + 1
            assert (root / "top").read_text() == str(n - 1)
            assert (root / "f0").read_text() == "0"


def tar_layer(files: dict[str, bytes | None]) -> io.BytesIO:
    """A layer tar: ``None`` marks a directory; names starting ``.wh.`` are whiteouts."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        for name, data in files.items():
            ti = tarfile.TarInfo(name)
            if data is None:
                ti.type, ti.mode = tarfile.DIRTYPE, 0o755
                tf.addfile(ti)
            else:
                ti.size = len(data)
                tf.addfile(ti, io.BytesIO(data))
    buf.seek(0)
    return buf


@pytest.mark.root
@pytest.mark.skipif(not ROOT, reason="needs root")
def test_unpack_layers_with_archive(sn: DirSnapshotter, tmp_path: Path) -> None:
    """The images service's path: apply_layer into upper_dir with the snapshotter's mode."""
    from berth.archive.apply import apply_layer
    layers = [
        {"etc": None, "etc/a": b"1", "etc/b": b"1", "keep": None, "keep/x": b"x"},
        {"etc/.wh.a": b"", "keep/.wh..wh..opq": b"", "keep/y": b"y", "etc/c": b"2"},
    ]
    parent = None
    for i, files in enumerate(layers):
        key = f"extract-{i}"
        sn.prepare(key, parent)
        apply_layer(tar_layer(files), sn.upper_dir(key), whiteouts=sn.whiteout_mode)
        sn.commit(f"sha256:{i:064x}", key)
        parent = f"sha256:{i:064x}"
    sn.view("v", parent)
    with mounted(sn, "v", tmp_path / "view") as root:
        assert sorted(os.listdir(root / "etc")) == ["b", "c"]
        assert os.listdir(root / "keep") == ["y"]
