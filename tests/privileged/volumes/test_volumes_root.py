"""Local volumes with options, mounted for real: tmpfs, bind, ext4 on a loop device."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from berth.errdefs import BerthError
from berth.volumes import VolumeService
from berth.volumes.kernel import mount_points

pytestmark = [pytest.mark.root]


def _mounted(path: Path) -> bool:
    return str(path) in mount_points(Path("/proc/self/mountinfo"))


@pytest.fixture
def svc(tmp_path: Path) -> Iterator[VolumeService]:
    s = VolumeService(tmp_path / "data", tmp_path / "exec", plugin_dirs=[tmp_path / "pl"])
    yield s
    s.close()
    for p in sorted((str(m) for m in mount_points(Path("/proc/self/mountinfo"))
                     if m.startswith(str(tmp_path) + "/")), key=len, reverse=True):
        subprocess.run(["umount", "-l", p], check=False)


def test_tmpfs_volume(svc: VolumeService) -> None:
    svc.create({"Name": "tv", "DriverOpts": {"type": "tmpfs", "device": "tmpfs",
                                             "o": "size=2m,uid=1234,mode=0750"}})
    path = Path(svc.mount("tv", "c1"))
    assert _mounted(path)
    st = path.stat()
    assert (st.st_uid, st.st_mode & 0o7777) == (1234, 0o750)
    (path / "f").write_text("hi")
    assert svc.mount("tv", "c2") == str(path)
    svc.unmount("tv", "c1")
    assert (path / "f").read_text() == "hi"
    svc.unmount("tv", "c2")
    assert not _mounted(path) and not (path / "f").exists()
    svc.remove("tv")
    assert not path.parent.exists()


def test_bind_volume_never_deletes_the_source(svc: VolumeService, tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "keep").write_text("precious")
    svc.create({"Name": "bv", "DriverOpts": {"type": "none", "o": "bind,ro",
                                             "device": str(src)}})
    path = Path(svc.mount("bv", "c1"))
    assert (path / "keep").read_text() == "precious"
    with pytest.raises(OSError):
        (path / "new").write_text("x")  # ro
    svc.unmount("bv", "c1")
    svc.remove("bv")
    assert (src / "keep").read_text() == "precious"


def test_bind_missing_source(svc: VolumeService, tmp_path: Path) -> None:
    svc.create({"Name": "bad", "DriverOpts": {"type": "none", "o": "bind",
                                              "device": str(tmp_path / "nope")}})
    with pytest.raises(BerthError, match=r"failed to mount local volume: mount .*nope:.*"
                                         "flags: 0x1000: no such file or directory"):
        svc.mount("bad", "c1")


def test_restart_while_mounted_keeps_data(tmp_path: Path) -> None:
    s = VolumeService(tmp_path / "data", tmp_path / "exec", plugin_dirs=[])
    try:
        s.create({"Name": "tv", "DriverOpts": {"type": "tmpfs", "device": "tmpfs"}})
        path = Path(s.mount("tv", "c1"))
        (path / "f").write_text("live")
        s.close()
        s = VolumeService(tmp_path / "data", tmp_path / "exec", plugin_dirs=[])
        assert (path / "f").read_text() == "live"  # the user still runs: kept mounted
        s.unmount("tv", "c1")
        assert not _mounted(path)
    finally:
        s.close()
        subprocess.run(["umount", "-l", str(tmp_path / "data/volumes/tv/_data")],
                       check=False, capture_output=True)


@pytest.mark.skipif(not shutil.which("mkfs.ext4") or not shutil.which("losetup"),
                    reason="needs mkfs.ext4 and losetup")
def test_ext4_on_loop_device(svc: VolumeService, tmp_path: Path) -> None:
    img = tmp_path / "disk.img"
    with open(img, "wb") as f:
        f.truncate(16 << 20)
    subprocess.run(["mkfs.ext4", "-q", "-F", str(img)], check=True)
    dev = subprocess.run(["losetup", "--find", "--show", str(img)], check=True,
                         capture_output=True, text=True).stdout.strip()
    try:
        svc.create({"Name": "ev", "DriverOpts": {"type": "ext4", "device": dev,
                                                 "o": "noatime"}})
        path = Path(svc.mount("ev", "c1"))
        assert (path / "lost+found").is_dir()
        (path / "data").write_text("on ext4")
        svc.unmount("ev", "c1")
        assert not (path / "data").exists()
        path = Path(svc.mount("ev", "c2"))
        assert (path / "data").read_text() == "on ext4"
        svc.unmount("ev", "c2")
        svc.remove("ev")
    finally:
        for m in mount_points(Path("/proc/self/mountinfo")):
            if m.startswith(str(tmp_path) + "/"):
                subprocess.run(["umount", "-l", m], check=False)
        subprocess.run(["losetup", "-d", dev], check=False)
    assert os.path.exists(img)
