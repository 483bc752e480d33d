"""write_tar determinism and round trips; diff_trees applied onto the old tree gives new."""

from __future__ import annotations

import io
import os
import shutil
import tarfile
from pathlib import Path

import pytest
from archive_testlib import snapshot

from berth.archive import apply_layer, diff_trees, write_tar
from berth.errdefs import InvalidArgument, NotFound


def build_tree(root: Path) -> Path:
    (root / "etc/ssl").mkdir(parents=True)
    (root / "etc/hosts").write_bytes(b"127.0.0.1 localhost\n")
    (root / "etc/ssl/big").write_bytes(os.urandom(200_000))
    os.chmod(root / "etc/ssl/big", 0o4711)
    os.link(root / "etc/hosts", root / "etc/hosts.hard")
    os.symlink("../etc/hosts", root / "etc/ssl/link")
    os.symlink("/nowhere/at/all", root / "dangling")
    os.mkfifo(root / "fifo")
    (root / "tmp").mkdir(mode=0o700)
    os.chmod(root / "tmp", 0o1777)
    long_dir = root / ("d" * 120) / ("é" * 60)
    long_dir.mkdir(parents=True)
    (long_dir / "file-ß").write_bytes(b"unicode")
    (root / "bad-\udcff-name").write_bytes(b"non-utf8 name")
    os.setxattr(root / "etc/hosts", "user.origin", b"\x00\xfe")
    (root / "empty").write_bytes(b"")
    for i, p in enumerate(sorted(root.rglob("*"), reverse=True)):
        os.utime(p, (1_500_000_000 + i, 1_500_000_000 + i), follow_symlinks=False)
    return root


def tar_of(root: Path, **kw: object) -> bytes:
    out = io.BytesIO()
    write_tar(root, out, **kw)  # type: ignore[arg-type]
    return out.getvalue()


def clone(src: Path, dst: Path) -> Path:
    """A metadata-preserving copy (shutil.copytree cannot copy fifos)."""
    dst.mkdir()
    apply_layer(io.BytesIO(tar_of(src)), dst, whiteouts="remove", chown=False)
    return dst


def test_write_tar_roundtrip(tmp_path: Path) -> None:
    src = build_tree(tmp_path / "src")
    src.mkdir(exist_ok=True)
    dst = tmp_path / "dst"
    dst.mkdir()
    tar = tar_of(src)
    apply_layer(io.BytesIO(tar), dst, whiteouts="remove", chown=False)
    assert snapshot(dst) == snapshot(src)


def test_write_tar_is_deterministic_and_tarfile_readable(tmp_path: Path) -> None:
    src = build_tree(tmp_path / "src")
    first = tar_of(src)
    os.utime(src / "etc/hosts", ns=(1_500_000_000_999_999_999, 1_500_000_000_999_999_999))
    os.utime(src / "etc/hosts", ns=(1_500_000_000_000_000_001, 1_500_000_000_000_000_001))
    second = tar_of(src)
    with tarfile.open(fileobj=io.BytesIO(first)) as tf:
        names = tf.getnames()
        hosts = tf.getmember("etc/hosts")
        assert hosts.pax_headers.get("SCHILY.xattr.user.origin") is not None
        assert tf.getmember("etc/hosts.hard").islnk()
        assert tf.extractfile("etc/ssl/big").read() == (src / "etc/ssl/big").read_bytes()  # type: ignore[union-attr]
    assert names.index("etc") < names.index("etc/hosts") < names.index("fifo")
    assert len(second) == len(first)  # sub-second mtime changes do not leak in


def test_write_tar_paths_subset(tmp_path: Path) -> None:
    src = build_tree(tmp_path / "src")
    with tarfile.open(fileobj=io.BytesIO(tar_of(src, paths=["etc/ssl", "/fifo"]))) as tf:
        assert tf.getnames() == ["etc/ssl", "etc/ssl/big", "etc/ssl/link", "fifo"]
    with pytest.raises(NotFound):
        tar_of(src, paths=["nope"])
    with pytest.raises(InvalidArgument):
        tar_of(src, paths=["../x"])
    with pytest.raises(NotFound):
        tar_of(tmp_path / "missing")


def test_diff_trees_applies_back(tmp_path: Path) -> None:
    old = build_tree(tmp_path / "old")
    new = clone(old, tmp_path / "new")
    (new / "etc/hosts").write_bytes(b"changed\n")
    (new / "etc/added").write_bytes(b"new file")
    shutil.rmtree(new / ("d" * 120))
    os.unlink(new / "fifo")
    os.mkdir(new / "fifo")
    (new / "fifo/inside").write_bytes(b"x")
    os.unlink(new / "dangling")
    (new / "dangling").write_bytes(b"now a file")
    os.chmod(new / "etc/ssl/big", 0o755)
    os.setxattr(new / "etc/ssl", "user.new", b"1")
    out = io.BytesIO()
    diff_trees(old, new, out)
    with tarfile.open(fileobj=io.BytesIO(out.getvalue())) as tf:
        names = set(tf.getnames())
    assert ".wh." + "d" * 120 in names and "etc/added" in names
    assert "etc/hosts.hard" not in names or "etc/hosts" in names
    target = clone(old, tmp_path / "target")
    apply_layer(io.BytesIO(out.getvalue()), target, whiteouts="remove", chown=False)
    assert snapshot(target) == snapshot(new)


def test_diff_trees_same_size_same_second_content_change(tmp_path: Path) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    new.mkdir()
    for root, body in ((old, b"aaaa"), (new, b"bbbb")):
        (root / "f").write_bytes(body)
        os.utime(root / "f", (1_600_000_000, 1_600_000_000))
        os.utime(root, (1_600_000_000, 1_600_000_000))
    (new / "same").write_bytes(b"s")
    shutil.copy2(new / "same", old / "same")
    out = io.BytesIO()
    diff_trees(old, new, out)
    with tarfile.open(fileobj=io.BytesIO(out.getvalue())) as tf:
        assert tf.getnames() == ["f"]
