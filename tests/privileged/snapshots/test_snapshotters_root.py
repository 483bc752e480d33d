"""Implementation-specific snapshotter checks that need root (chown, mknod, xattrs, mounts)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from berth.snapshots import NativeSnapshotter, OverlaySnapshotter, overlay_supported

pytestmark = [pytest.mark.root,
              pytest.mark.skipif(os.geteuid() != 0, reason="needs root")]


def test_overlay_supported_here(tmp_path: Path) -> None:
    assert overlay_supported(tmp_path / "probe")
    assert os.listdir(tmp_path / "probe") == []


def test_native_copy_keeps_metadata(tmp_path: Path) -> None:
    with NativeSnapshotter(tmp_path / "snap") as sn:
        sn.prepare("a")
        up = sn.upper_dir("a")
        (up / "f").write_text("x")
        os.chown(up / "f", 1234, 5678)
        os.chmod(up / "f", 0o4751)
        os.link(up / "f", up / "hard")
        os.symlink("f", up / "sym")
        os.mknod(up / "null", stat.S_IFCHR | 0o666, os.makedev(1, 3))
        os.setxattr(up / "f", "user.berth", b"yes")
        os.setxattr(up / "f", "trusted.berth", b"root")
        sn.commit("l1", "a")
        sn.prepare("b", "l1")
        new = sn.upper_dir("b")
        st = (new / "f").stat()
        assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (1234, 5678, 0o4751)
        assert st.st_ino == (new / "hard").stat().st_ino and st.st_nlink == 2
        assert os.readlink(new / "sym") == "f"
        assert (new / "null").stat().st_rdev == os.makedev(1, 3)
        assert os.getxattr(new / "f", "user.berth") == b"yes"
        assert os.getxattr(new / "f", "trusted.berth") == b"root"
        assert st.st_ino != (up / "f").stat().st_ino


def test_overlay_child_holds_only_its_diff(tmp_path: Path) -> None:
    with OverlaySnapshotter(tmp_path / "snap") as sn:
        sn.prepare("a")
        up = sn.upper_dir("a")
        (up / "big").write_bytes(b"x" * (1 << 20))
        os.chmod(up, 0o700)
        os.chown(up, 42, 43)
        sn.commit("l1", "a")
        sn.prepare("b", "l1")
        child = sn.upper_dir("b")
        assert os.listdir(child) == []
        st = child.stat()
        assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (42, 43, 0o700)
        assert sn.usage("b").size < sn.usage("l1").size


def test_overlay_rejects_unsafe_root(tmp_path: Path) -> None:
    from berth.errdefs import InvalidArgument
    with pytest.raises(InvalidArgument):
        OverlaySnapshotter(tmp_path / "a:b")
    assert not (tmp_path / "a:b").exists()
