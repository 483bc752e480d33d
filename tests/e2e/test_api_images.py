"""Image endpoints end to end: the real docker CLI and docker-py against a real berthd
with the real image service (busybox made locally from busybox-static)."""

from __future__ import annotations

import io
import json
import tarfile
import time
from pathlib import Path
from typing import Any

import pytest

from berth.testing.rootfs import make_busybox_tar

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def busybox_tar(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("busybox")
    return make_busybox_tar(work / "busybox.tar", work)


def _import(d: Any, tar: Path, name: str) -> str:
    out = d.docker("import", "-c", 'CMD ["sh"]', str(tar), name).stdout.strip()
    assert out.startswith("sha256:")
    return out


def test_import_list_inspect_history_tag_rmi(berthd: Any, busybox_tar: Path) -> None:
    image_id = _import(berthd, busybox_tar, "busybox:latest")
    berthd.docker("tag", "busybox", "reg.local:5000/team/bb:v1")
    rows = berthd.docker("images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}").stdout
    assert sorted(rows.split("\n")[:-1]) == [f"busybox:latest {image_id[7:19]}",
                                            f"reg.local:5000/team/bb:v1 {image_id[7:19]}"]
    inspect = json.loads(berthd.docker("image", "inspect", "reg.local:5000/team/bb:v1").stdout)
    assert inspect[0]["Id"] == image_id and inspect[0]["Config"]["Cmd"] == ["sh"]
    assert image_id[7:19] in berthd.docker("history", "busybox").stdout
    assert "Untagged: reg.local:5000/team/bb:v1" in berthd.docker(
        "rmi", "reg.local:5000/team/bb:v1").stdout
    missing = berthd.docker("image", "inspect", "nope:1", check=False)
    assert missing.returncode == 1 and "No such image" in missing.stderr


def test_save_then_load_into_another_daemon(berthd_factory: Any, busybox_tar: Path,
                                            tmp_path: Path) -> None:
    a, b = berthd_factory(), berthd_factory()
    image_id = _import(a, busybox_tar, "busybox:latest")
    out = tmp_path / "saved.tar"
    a.docker("save", "-o", str(out), "busybox")
    with tarfile.open(out) as tf:
        assert "manifest.json" in tf.getnames()
    res = b.docker("load", "-i", str(out))
    assert "Loaded image: busybox:latest" in res.stdout
    assert json.loads(b.docker("image", "inspect", "busybox").stdout)[0]["Id"] == image_id


def test_load_garbage_is_an_error_and_changes_nothing(berthd: Any, tmp_path: Path) -> None:
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"this is not a tarball" * 100)
    res = berthd.docker("load", "-i", str(junk), check=False)
    assert res.returncode != 0
    assert berthd.docker("images", "-q").stdout == ""


def test_events_replay_image_actions(berthd: Any, busybox_tar: Path) -> None:
    since = time.time() - 1
    image_id = _import(berthd, busybox_tar, "bb:1")
    berthd.docker("tag", "bb:1", "bb:2")
    berthd.docker("rmi", "bb:2")
    until = time.time() + 1
    out = berthd.docker("events", "--since", f"{since:.3f}", "--until", f"{until:.3f}",
                        "--format", "{{json .}}").stdout
    events = [json.loads(line) for line in out.splitlines()]
    assert [(e["Type"], e["Action"], e["Actor"]["Attributes"]["name"]) for e in events] == [
        ("image", "import", "bb:1"), ("image", "tag", "bb:2"), ("image", "untag", "bb:2")]
    assert all(e["Actor"]["ID"] == image_id for e in events)
    only_tags = berthd.docker("events", "--since", f"{since:.3f}", "--until", f"{until:.3f}",
                              "--filter", "event=tag", "--format", "{{.Action}}").stdout
    assert only_tags.split() == ["tag"]


def test_live_events_reach_docker_py(berthd: Any, busybox_tar: Path) -> None:
    client = berthd.client()
    _import(berthd, busybox_tar, "live:1")
    stream = client.events(decode=True, filters={"type": "image", "event": "tag"})
    try:
        berthd.docker("tag", "live:1", "live:2")
        ev = next(iter(stream))
        assert ev["Action"] == "tag" and ev["Actor"]["Attributes"]["name"] == "live:2"
    finally:
        stream.close()


def test_docker_py_images(berthd: Any, busybox_tar: Path) -> None:
    client = berthd.client()
    data = busybox_tar.read_bytes()
    status = client.api.import_image_from_data(data, repository="pyimg", tag="1")
    assert "sha256:" in status
    images = client.images.list()
    assert [t for i in images for t in i.tags] == ["pyimg:1"]
    img = client.images.get("pyimg:1")
    assert img.tag("pyimg", "2") is True
    saved = b"".join(img.save(named=True))
    with tarfile.open(fileobj=io.BytesIO(saved)) as tf:
        assert "manifest.json" in tf.getnames()
    client.images.remove("pyimg:2")
    assert sorted(t for i in client.images.list() for t in i.tags) == ["pyimg:1"]
    df = client.df()
    assert len(df["Images"]) == 1 and df["Containers"] == []


def test_pull_reports_missing_registry_client(berthd: Any) -> None:
    res = berthd.docker("pull", "alpine", check=False)
    assert res.returncode != 0
    assert "registry" in res.stderr and "docker.io/library/alpine" in res.stderr
