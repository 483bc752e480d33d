"""apply_layer: entry kinds, metadata, overwrite rules, remove-mode whiteouts, diff_id."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import stat
import tarfile
from pathlib import Path
from typing import Any

import pytest
import zstandard
from archive_testlib import d, f, hard, make_tar, member, sym

from berth.archive import ApplyResult, Compression, apply_layer
from berth.errdefs import InvalidArgument, NotImplementedYet


def apply(tar: bytes, root: Path, mode: str = "remove", **kw: Any) -> ApplyResult:
    root.mkdir(exist_ok=True)
    return apply_layer(io.BytesIO(tar), root, whiteouts=mode, chown=False, **kw)  # type: ignore[arg-type]


@pytest.fixture(params=[True, False], ids=["threaded", "inline"])
def threaded(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


def test_kinds_and_metadata(tmp_path: Path, threaded: bool) -> None:
    tar = make_tar([
        d("etc", mode=0o751, mtime=1_500_000_000),
        f("etc/hosts", b"127.0.0.1 localhost\n", mode=0o640, mtime=1_400_000_000),
        f("usr/bin/su", b"\x7fELF", mode=0o4755),
        d("tmp", mode=0o1777),
        sym("etc/localtime", "/usr/share/zoneinfo/UTC", mtime=1_300_000_000),
        hard("etc/hosts2", "etc/hosts"),
        member("run/fifo", tarfile.FIFOTYPE, mode=0o600),
        f("big", os.urandom(3 * 1024 * 1024 + 17)),
    ])
    root = tmp_path / "root"
    res = apply(tar, root, threaded=threaded)
    assert (root / "etc/hosts").read_bytes() == b"127.0.0.1 localhost\n"
    assert stat.S_IMODE((root / "etc").stat().st_mode) == 0o751
    assert (root / "etc").stat().st_mtime == 1_500_000_000  # set after its children
    assert stat.S_IMODE((root / "etc/hosts").stat().st_mode) == 0o640
    assert (root / "etc/hosts").stat().st_mtime == 1_400_000_000
    assert stat.S_IMODE((root / "usr/bin/su").stat().st_mode) == 0o4755
    assert stat.S_IMODE((root / "tmp").stat().st_mode) == 0o1777
    assert os.readlink(root / "etc/localtime") == "/usr/share/zoneinfo/UTC"
    assert (root / "etc/localtime").lstat().st_mtime == 1_300_000_000
    assert (root / "etc/hosts2").stat().st_ino == (root / "etc/hosts").stat().st_ino
    assert stat.S_ISFIFO((root / "run/fifo").lstat().st_mode)
    assert (root / "big").stat().st_size == 3 * 1024 * 1024 + 17
    assert stat.S_IMODE((root / "usr").stat().st_mode) == 0o755  # implicit parent
    assert res.entries == 8


@pytest.mark.parametrize("kind", ["plain", "gzip", "zstd"])
def test_diff_id_is_sha256_of_uncompressed_tar(tmp_path: Path, kind: str) -> None:
    tar = make_tar([f(f"f{i}", os.urandom(i * 100)) for i in range(50)]) + bytes(4096)
    blob = {"plain": tar, "gzip": gzip.compress(tar),
            "zstd": zstandard.ZstdCompressor().compress(tar)}[kind]
    res = apply(blob, tmp_path / "root")
    assert res.digest == "sha256:" + hashlib.sha256(tar).hexdigest()
    assert res.size == len(tar)
    assert res.compression == Compression(kind if kind != "plain" else "none")


def test_later_entries_overwrite(tmp_path: Path) -> None:
    root = tmp_path / "root"
    apply(make_tar([
        d("a"), f("a/keep", b"1"),
        f("x", b"old"), f("x", b"new"),
        d("a", mode=0o700),                   # dir over dir keeps contents
        d("y"), f("y/child", b"c"), f("y", b"now a file"),  # file over dir
        f("z", b"file"), d("z"), f("z/in", b"i"),            # dir over file
        f("s", b"file"), sym("s", "x"),                      # symlink over file
    ]), root)
    assert (root / "a/keep").read_bytes() == b"1"
    assert stat.S_IMODE((root / "a").stat().st_mode) == 0o700
    assert (root / "x").read_bytes() == b"new"
    assert (root / "y").read_bytes() == b"now a file"
    assert (root / "z/in").read_bytes() == b"i"
    assert os.readlink(root / "s") == "x"


def test_remove_mode_whiteouts(tmp_path: Path) -> None:
    root = tmp_path / "root"
    apply(make_tar([d("etc"), f("etc/a", b"a"), f("etc/b", b"b"), d("var/lib/x"),
                    f("var/lib/x/y", b"y")]), root)
    apply(make_tar([f("etc/.wh.a"), f("var/lib/.wh.x"), f(".wh.missing"),
                    f("nodir/.wh.gone")]), root)
    assert not (root / "etc/a").exists() and (root / "etc/b").exists()
    assert not (root / "var/lib/x").exists() and (root / "var/lib").is_dir()
    assert not (root / "nodir").exists()  # a whiteout never creates its parent


@pytest.mark.parametrize("marker_first", [True, False])
def test_remove_mode_opaque(tmp_path: Path, marker_first: bool) -> None:
    root = tmp_path / "root"
    apply(make_tar([d("o"), f("o/lower", b"l"), d("o/sub"), f("o/sub/deep", b"d"),
                    f("o/sub/kept-name", b"old"), f("outside", b"x")]), root)
    entries = [d("o"), d("o/sub"), f("o/sub/kept-name", b"new"), f("o/new", b"n")]
    marker = f("o/.wh..wh..opq")
    apply(make_tar([marker, *entries] if marker_first else [*entries, marker]), root)
    assert sorted(p.name for p in (root / "o").iterdir()) == ["new", "sub"]
    assert sorted(p.name for p in (root / "o/sub").iterdir()) == ["kept-name"]
    assert (root / "o/sub/kept-name").read_bytes() == b"new"
    assert (root / "outside").exists()


def test_aufs_metadata_ignored(tmp_path: Path) -> None:
    root = tmp_path / "root"
    apply(make_tar([f(".wh..wh.plnk/123.456"), f(".wh..wh.aufs"), f("ok", b"1")]), root)
    assert sorted(os.listdir(root)) == [".wh..wh.plnk", "ok"]


def test_user_xattrs(tmp_path: Path) -> None:
    root = tmp_path / "root"
    apply(make_tar([f("x", b"1", xattrs={"user.note": b"\x00\xffbin"}),
                    d("dd", xattrs={"user.d": b"v"})]), root)
    assert os.getxattr(root / "x", "user.note") == b"\x00\xffbin"
    assert os.getxattr(root / "dd", "user.d") == b"v"


def test_overlay_xattrs_from_archive_are_dropped(tmp_path: Path) -> None:
    root = tmp_path / "root"
    apply(make_tar([d("dd", xattrs={"user.overlay.redirect": b"/etc"})]), root)
    assert "user.overlay.redirect" not in os.listxattr(root / "dd")


def test_root_entry_sets_root_metadata(tmp_path: Path) -> None:
    root = tmp_path / "root"
    apply(make_tar([d("./", mode=0o700, mtime=1_234_567_890), f("./a", b"1")]), root)
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    assert root.stat().st_mtime == 1_234_567_890


def test_devices_skip(tmp_path: Path) -> None:
    root = tmp_path / "root"
    apply(make_tar([member("dev/null", tarfile.CHRTYPE, devmajor=1, devminor=3),
                    member("dev/fifo", tarfile.FIFOTYPE)]), root, devices="skip")
    assert os.listdir(root / "dev") == ["fifo"]


def test_empty_stream_is_empty_layer(tmp_path: Path) -> None:
    res = apply(b"", tmp_path / "root")
    assert res.size == 0 and os.listdir(tmp_path / "root") == []


def test_bad_whiteout_mode(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgument, match="whiteouts"):
        apply(make_tar([]), tmp_path / "root", mode="aufs")


def test_unsupported_entry_type(tmp_path: Path) -> None:
    tar = make_tar([member("weird", b"V")])
    with pytest.raises(InvalidArgument, match=r"weird.*unsupported"):
        apply(tar, tmp_path / "root")


def test_sparse_refused(tmp_path: Path) -> None:
    tar = make_tar([f("s", b"x", pax_headers={"GNU.sparse.major": "1"})])
    with pytest.raises(NotImplementedYet, match="sparse"):
        apply(tar, tmp_path / "root")


def test_missing_target(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgument, match="layer target"):
        apply_layer(io.BytesIO(make_tar([])), tmp_path / "nope", whiteouts="remove")
