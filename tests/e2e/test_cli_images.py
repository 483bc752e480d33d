"""berth's image commands against a real berthd, side by side with the docker CLI.

An image is made with ``import`` of a small tarball, then listing, inspect, history,
save/load and tag/rmi are run through both CLIs and must print the same thing.
"""

from __future__ import annotations

import io
import tarfile
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e


def _rootfs_tar(path: Path) -> Path:
    with tarfile.open(path, "w") as tar:
        data = b"hello from berth\n"
        info = tarfile.TarInfo("hello.txt")
        info.size = len(data)
        info.mode = 0o644
        tar.addfile(info, io.BytesIO(data))
    return path


def _rows(stdout: str, unordered: bool) -> str | tuple[str, ...]:
    """Table rows; sorted after the header when the order is not defined."""
    if not unordered:
        return stdout
    head, *rest = stdout.splitlines()
    return (head, *sorted(rest))


def _same(d: Any, *args: str, unordered: bool = False) -> str:
    """Run berth, docker, berth: docker's output must equal one of berth's runs.

    Bracketing docker between two berth runs absorbs a "CREATED" column that ticks
    from "Less than a second ago" to "1 second ago" between the runs. ``unordered``
    is for listings where docker's order is undefined: it walks a Go map of the
    repositories of one image, so rows of one image come out in random order.
    """
    first = d.berth(*args, check=False)
    want = d.docker(*args, check=False)
    second = d.berth(*args, check=False)
    expect = (_rows(want.stdout, unordered), want.stderr.replace("docker", "berth"),
              want.returncode)
    runs = [(_rows(r.stdout, unordered), r.stderr, r.returncode) for r in (first, second)]
    assert expect in runs, (runs, expect)
    return str(second.stdout)


@pytest.fixture
def imported(berthd: Any, tmp_path: Path) -> tuple[Any, str]:
    tar = _rootfs_tar(tmp_path / "rootfs.tar")
    res = berthd.berth("import", "-c", "CMD [\"/hello\"]", "-m", "made by test", str(tar),
                       "e2e/hello:1")
    image_id = res.stdout.strip()
    assert image_id.startswith("sha256:") and len(image_id) == 71
    return berthd, image_id


def test_images_listing_matches_docker(imported: tuple[Any, str]) -> None:
    d, image_id = imported
    out = _same(d, "images")
    assert "e2e/hello" in out and image_id[7:19] in out
    for args in (["images", "-a"], ["images", "-q"], ["images", "--no-trunc"],
                 ["images", "--digests"], ["images", "--format", "json"],
                 ["images", "--format", "table {{.Repository}}:{{.Tag}}\t{{.ID}}"]):
        _same(d, *args)


def test_inspect_and_history_match_docker(imported: tuple[Any, str]) -> None:
    d, image_id = imported
    _same(d, "image", "inspect", "e2e/hello:1")
    assert _same(d, "image", "inspect", "--format", "{{.Id}}", "e2e/hello:1").strip() == \
        image_id
    _same(d, "image", "inspect", "--format", "{{json .Config.Cmd}}", image_id[7:19])
    _same(d, "image", "inspect", "nope:1")
    _same(d, "history", "e2e/hello:1")
    _same(d, "history", "--no-trunc", "--format", "json", "e2e/hello:1")


def test_save_load_round_trip(imported: tuple[Any, str], tmp_path: Path) -> None:
    d, image_id = imported
    out = tmp_path / "saved.tar"
    d.berth("save", "-o", str(out), "e2e/hello:1")
    with tarfile.open(out) as tar:
        assert any(n in ("manifest.json", "index.json") for n in tar.getnames())
    d.berth("rmi", "e2e/hello:1")
    assert d.berth("images", "-q").stdout == ""
    loaded = d.berth("load", "-i", str(out))
    assert "e2e/hello:1" in loaded.stdout
    assert d.berth("image", "inspect", "--format", "{{.Id}}", "e2e/hello:1").stdout.strip() == \
        image_id


def test_tag_and_rmi_errors_match_docker(imported: tuple[Any, str]) -> None:
    d, _ = imported
    _same(d, "tag", "nope:1", "x:1")
    _same(d, "tag", "e2e/hello:1", "BAD")
    _same(d, "rmi", "nope:1")
    d.berth("tag", "e2e/hello:1", "e2e/other:2")
    assert "e2e/other" in _same(d, "images", unordered=True)
    out = d.berth("rmi", "e2e/other:2").stdout
    assert out == "Untagged: e2e/other:2\n"


def test_system_df_matches_docker(imported: tuple[Any, str]) -> None:
    d, _ = imported
    _same(d, "system", "df")
