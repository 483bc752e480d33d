"""Root-only archive behaviour: owners, setuid after chown, capabilities, trusted xattrs,
device nodes, overlay whiteouts, and commit/diff of a real overlay mount."""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from archive_testlib import d, f, make_tar, member, snapshot

from berth.archive import ChangeKind, apply_layer, changes, write_overlay_diff, write_tar
from berth.sys.mount import MNT_DETACH, mount, umount

pytestmark = pytest.mark.root
CAP = b"\x01\x00\x00\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"


def apply(tar: bytes, root: Path, mode: str = "remove") -> None:
    root.mkdir(exist_ok=True)
    apply_layer(io.BytesIO(tar), root, whiteouts=mode)  # type: ignore[arg-type]


def test_owners_setuid_caps_devices(tmp_path: Path) -> None:
    root = tmp_path / "root"
    apply(make_tar([
        d("home/u", uid=1000, gid=1000, mode=0o750),
        f("usr/bin/ping", b"ELF", uid=0, gid=0, mode=0o755,
          xattrs={"security.capability": CAP}),
        f("usr/bin/sudo", b"ELF", uid=0, gid=50, mode=0o4755),
        f("usr/bin/wall", b"ELF", uid=7, gid=5, mode=0o2755),
        f("t", b"1", xattrs={"trusted.note": b"x"}),
        member("dev/null", tarfile.CHRTYPE, devmajor=1, devminor=3, mode=0o666),
        member("dev/loop0", tarfile.BLKTYPE, devmajor=7, devminor=0, mode=0o660, gid=6),
        member("l", tarfile.SYMTYPE, linkname="t", uid=33, gid=33),
    ]), root)
    st = (root / "home/u").stat()
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (1000, 1000, 0o750)
    assert os.getxattr(root / "usr/bin/ping", "security.capability") == CAP
    assert stat.S_IMODE((root / "usr/bin/sudo").stat().st_mode) == 0o4755
    assert (root / "usr/bin/wall").stat().st_mode & stat.S_ISGID
    assert os.getxattr(root / "t", "trusted.note") == b"x"
    null = (root / "dev/null").lstat()
    assert stat.S_ISCHR(null.st_mode) and null.st_rdev == os.makedev(1, 3)
    loop = (root / "dev/loop0").lstat()
    assert stat.S_ISBLK(loop.st_mode) and loop.st_gid == 6
    assert (root / "l").lstat().st_uid == 33


def test_full_roundtrip_with_owners(tmp_path: Path) -> None:
    src = tmp_path / "src"
    apply(make_tar([
        d("a", uid=5, gid=6), f("a/f", b"data", uid=1, gid=2, mode=0o6711,
                                xattrs={"security.capability": CAP, "trusted.t": b"1"}),
        member("a/dev", tarfile.CHRTYPE, devmajor=4, devminor=64, uid=9),
        member("a/fifo", tarfile.FIFOTYPE, gid=9),
    ]), src)
    os.link(src / "a/f", src / "a/f2")
    out = io.BytesIO()
    write_tar(src, out)
    apply(out.getvalue(), tmp_path / "dst")
    assert snapshot(tmp_path / "dst") == snapshot(src)


def test_overlay_mode_whiteouts(tmp_path: Path) -> None:
    upper = tmp_path / "upper"
    apply(make_tar([f("etc/.wh.passwd"), f(".wh.tmp"), d("var/cache"),
                    f("var/cache/.wh..wh..opq"), f(".wh.opt"), d("opt"),
                    f("opt/new", b"n")]), upper, mode="overlay")
    for wh in ("etc/passwd", "tmp"):
        st = (upper / wh).lstat()
        assert stat.S_ISCHR(st.st_mode) and st.st_rdev == 0
    assert os.getxattr(upper / "var/cache", "trusted.overlay.opaque") == b"y"
    assert os.getxattr(upper / "opt", "trusted.overlay.opaque") == b"y"  # dir over whiteout
    assert not os.path.lexists(upper / "etc/.wh.passwd")


def test_devices_refused_without_mknod(tmp_path: Path) -> None:
    """In a user namespace mknod is not permitted: a clear PermissionDenied, not a crash."""
    tar = tmp_path / "dev.tar"
    tar.write_bytes(make_tar([member("dev/sda", tarfile.BLKTYPE, devmajor=8)]))
    (tmp_path / "root").mkdir()
    code = ("import sys; from pathlib import Path; from berth.archive import apply_layer\n"
            "from berth.errdefs import PermissionDenied\n"
            "try:\n apply_layer(open(sys.argv[1], 'rb'), Path(sys.argv[2]), whiteouts='remove')\n"
            "except PermissionDenied as e:\n print('DENIED', e); sys.exit(3)\n")
    r = subprocess.run(["unshare", "--user", "--map-root-user", sys.executable, "-c", code,
                        str(tar), str(tmp_path / "root")], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 3, r.stderr
    assert "dev/sda" in r.stdout and "devices='skip'" in r.stdout


@pytest.fixture
def overlay(tmp_path: Path) -> Iterator[tuple[Path, Path, Path]]:
    lower, upper, work, merged = (tmp_path / n for n in ("lower", "upper", "work", "merged"))
    apply(make_tar([
        d("etc"), f("etc/passwd", b"root:x:0:0\n"), f("etc/keep", b"k"),
        d("var"), d("var/cache/apt"), f("var/cache/apt/pkg", b"p"), f("var/cache/old", b"o"),
        d("gone"), f("gone/x", b"x"), f("mod", b"1"),
    ]), lower)
    for p in (upper, work, merged):
        p.mkdir()
    mount("overlay", str(merged), "overlay", 0,
          f"lowerdir={lower},upperdir={upper},workdir={work},redirect_dir=off,metacopy=off")
    try:
        yield lower, upper, merged
    finally:
        umount(str(merged), MNT_DETACH)


def test_overlay_commit_roundtrip(tmp_path: Path, overlay: tuple[Path, Path, Path]) -> None:
    lower, upper, merged = overlay
    os.unlink(merged / "etc/passwd")
    subprocess.run(["rm", "-rf", str(merged / "gone"), str(merged / "var/cache")], check=True)
    (merged / "var/cache").mkdir()  # recreated empty: overlay makes it opaque
    (merged / "var/cache/fresh").write_bytes(b"f")
    (merged / "mod").write_bytes(b"2")
    (merged / "added").write_bytes(b"a")
    assert changes([lower], upper) == [
        (ChangeKind.ADDED, "/added"), (ChangeKind.MODIFIED, "/etc"),
        (ChangeKind.DELETED, "/etc/passwd"), (ChangeKind.DELETED, "/gone"),
        (ChangeKind.MODIFIED, "/mod"), (ChangeKind.MODIFIED, "/var"),
        (ChangeKind.MODIFIED, "/var/cache"), (ChangeKind.DELETED, "/var/cache/apt"),
        (ChangeKind.ADDED, "/var/cache/fresh"), (ChangeKind.DELETED, "/var/cache/old")]
    expected = snapshot(merged)
    out = io.BytesIO()
    write_overlay_diff(upper, out)
    with tarfile.open(fileobj=io.BytesIO(out.getvalue())) as tf:
        names = set(tf.getnames())
    assert {"etc/.wh.passwd", ".wh.gone", "var/cache/.wh..wh..opq"} <= names
    target = tmp_path / "target"
    copy = io.BytesIO()
    write_tar(lower, copy)
    apply(copy.getvalue(), target)
    apply(out.getvalue(), target)  # remove mode onto a full copy of the lower
    assert _without_dir_mtimes(snapshot(target)) == _without_dir_mtimes(expected)
    upper2, work2, merged2 = (tmp_path / n for n in ("upper2", "work2", "merged2"))
    apply(out.getvalue(), upper2, mode="overlay")  # overlay mode into a fresh upper
    work2.mkdir()
    merged2.mkdir()
    mount("overlay", str(merged2), "overlay", 0,
          f"lowerdir={lower},upperdir={upper2},workdir={work2}")
    try:
        assert _without_dir_mtimes(snapshot(merged2)) == _without_dir_mtimes(expected)
    finally:
        umount(str(merged2), MNT_DETACH)


def _without_dir_mtimes(snap: dict[str, tuple[object, ...]]) -> dict[str, tuple[object, ...]]:
    """Directory mtimes move whenever a child changes, so compare everything else."""
    return {k: (v[0], v[1], None if str(v[0]).startswith("d") else v[2], *v[3:])
            for k, v in snap.items()}
