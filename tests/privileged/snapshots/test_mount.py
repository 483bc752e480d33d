"""berth.mount against the real kernel: bind, remount flags, long overlay lowerdir lists."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from berth.errdefs import InvalidArgument, NotFound
from berth.mount import (
    PAGE_DATA_LIMIT,
    Mount,
    mount_all,
    mount_overlay_relative,
    parse_options,
    unmount_all,
)

pytestmark = [pytest.mark.root,
              pytest.mark.skipif(os.geteuid() != 0, reason="needs root")]


def is_mounted(path: Path) -> bool:
    return any(line.split()[4] == str(path)
               for line in Path("/proc/self/mountinfo").read_text().splitlines())


def test_readonly_bind(tmp_path: Path, mountpoint: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "f").write_text("x")
    mount_all([Mount("bind", str(src), ["rbind", "ro", "nosuid"])], mountpoint)
    assert (mountpoint / "f").read_text() == "x"
    with pytest.raises(OSError) as e:
        (mountpoint / "g").write_text("y")
    assert e.value.errno == errno.EROFS
    unmount_all(mountpoint)
    assert not is_mounted(mountpoint)


def test_failed_stack_is_undone(tmp_path: Path, mountpoint: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    with pytest.raises(NotFound):
        mount_all([Mount("bind", str(src), ["rbind"]),
                   Mount("bind", str(tmp_path / "missing"), ["rbind"])], mountpoint)
    assert not is_mounted(mountpoint)


def test_bad_fs_option_is_invalid(tmp_path: Path, mountpoint: Path) -> None:
    with pytest.raises(InvalidArgument):
        mount_all([Mount("tmpfs", "tmpfs", ["bogusoption=1"])], mountpoint)
    assert not is_mounted(mountpoint)


def make_layers(root: Path, n: int,
                name: str = "layer-directory-with-a-long-name-{}") -> list[Path]:
    """``n`` lower dirs, each holding one file; newest first."""
    layers = []
    for i in range(n):
        d = root / name.format(i) / "fs"
        d.mkdir(parents=True)
        (d / f"file{i}").write_text(str(i))
        (d / "shadowed").write_text(str(i))
        layers.append(d)
    return layers[::-1]


def overlay(tmp_path: Path, lowers: list[Path]) -> Mount:
    for d in ("upper", "work"):
        (tmp_path / d).mkdir()
    return Mount("overlay", "overlay", [
        "index=off", f"workdir={tmp_path / 'work'}", f"upperdir={tmp_path / 'upper'}",
        "lowerdir=" + ":".join(map(str, lowers))])


def check_overlay(target: Path, n: int) -> None:
    assert all((target / f"file{i}").read_text() == str(i) for i in range(n))
    assert (target / "shadowed").read_text() == str(n - 1)
    (target / "new").write_text("upper")


@pytest.mark.parametrize("n", [2, 100])
def test_overlay_many_lowers(tmp_path: Path, mountpoint: Path, n: int) -> None:
    lowers = make_layers(tmp_path / "layers", n)
    m = overlay(tmp_path, lowers)
    if n == 100:
        assert len(",".join(m.options)) > PAGE_DATA_LIMIT
    mount_all([m], mountpoint)
    check_overlay(mountpoint, n)
    assert (tmp_path / "upper" / "new").read_text() == "upper"


def test_overlay_relative_fallback(tmp_path: Path, mountpoint: Path) -> None:
    """Old kernels: the snapshotter layout (``<root>/<id>/fs``) fits once made relative."""
    lowers = make_layers(tmp_path / "a-rather-long-snapshotter-root" / "snapshots", 100, "{}")
    assert len(":".join(map(str, lowers))) > PAGE_DATA_LIMIT
    m = overlay(tmp_path, lowers)
    mount_overlay_relative(m, mountpoint, parse_options(m.options))
    check_overlay(mountpoint, 100)
