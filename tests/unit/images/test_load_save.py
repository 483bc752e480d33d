"""Load docker-save (skopeo-made) and OCI-layout tarballs; save and read back with skopeo."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest
from imgtest_util import Events, close_service, make_oci_layout, open_service, tar_dir

from berth.images import ImageService

# skopeo is one of the judges (issue 2): `make install` installs it, so its absence is a failure.
needs_skopeo = pytest.mark.usefixtures("skopeo_installed")


@pytest.fixture
def skopeo_installed() -> None:
    assert shutil.which("skopeo"), "skopeo is missing: run `make install`"


@pytest.fixture(scope="module")
def layout(tmp_path_factory: pytest.TempPathFactory, busybox_tar: Path) -> tuple[Path, str]:
    d = tmp_path_factory.mktemp("layout")
    config = make_oci_layout(d / "oci", busybox_tar, "docker.io/library/busybox:latest")
    return d / "oci", config


def _load(svc: ImageService, path: Path) -> tuple[list[str], list[dict]]:
    msgs: list[dict] = []
    with path.open("rb") as f:
        return svc.load_images(f, progress=msgs.append), msgs


def _run_busybox_ok(svc: ImageService, image_id: str) -> None:
    """The unpacked rootfs holds busybox at its top chain."""
    info = svc.snapshotter.stat(svc.rootfs_chain(image_id))
    assert info.kind.value == "committed"


@needs_skopeo
def test_load_skopeo_docker_archive(svc: ImageService, events: Events, tmp_path: Path,
                                    layout: tuple[Path, str]) -> None:
    oci_dir, config = layout
    archive = tmp_path / "da.tar"
    subprocess.run(["skopeo", "copy", "-q", f"oci:{oci_dir}:latest",
                    f"docker-archive:{archive}:busybox:latest"], check=True)
    loaded, msgs = _load(svc, archive)
    assert loaded == ["busybox:latest"]
    assert msgs == [{"stream": "Loaded image: busybox:latest\n"}]
    assert events == [("load", config, {"name": "busybox:latest"})]
    img = svc.inspect_image("busybox")
    assert img["Id"] == config and img["RepoTags"] == ["busybox:latest"]
    assert img["Config"]["Cmd"] == ["sh"] and img["Os"] == "linux"
    assert img["Created"] == "2024-05-01T10:00:00Z"
    _run_busybox_ok(svc, config)
    # the legacy VERSION/json files of the archive were swept; only image blobs remain
    blobs = {str(i.digest) for i in svc.content.walk()}
    rec = svc.resolve("busybox")
    assert blobs == {rec.id, *(layer.blob for layer in rec.layers)}


def test_load_oci_layout_tarball(svc: ImageService, tmp_path: Path,
                                 layout: tuple[Path, str]) -> None:
    oci_dir, config = layout
    loaded, _ = _load(svc, tar_dir(oci_dir, tmp_path / "oci.tar"))
    assert loaded == ["busybox:latest"]
    rec = svc.resolve("busybox:latest")
    assert rec.id == config
    assert rec.target_media_type == "application/vnd.oci.image.manifest.v1+json"
    assert rec.layers[0].media_type.endswith("+gzip")
    hist = svc.image_history("busybox")
    assert hist[0]["Id"] == config and hist[0]["CreatedBy"] == "ADD rootfs"
    assert hist[0]["Tags"] == ["busybox:latest"]
    # loading again is idempotent and shares everything
    again, _ = _load(svc, tmp_path / "oci.tar")
    assert again == loaded and len(svc.list_images()) == 1


def test_load_untagged_reports_id(svc: ImageService, tmp_path: Path, busybox_tar: Path) -> None:
    config = make_oci_layout(tmp_path / "u", busybox_tar, None)
    loaded, msgs = _load(svc, tar_dir(tmp_path / "u", tmp_path / "u.tar"))
    assert loaded == [config]
    assert msgs == [{"stream": f"Loaded image ID: {config}\n"}]
    assert svc.list_images(filters={"dangling": ["true"]})[0]["Id"] == config


def test_load_moves_tag_and_says_so(svc: ImageService, tmp_path: Path,
                                    busybox_tar: Path) -> None:
    first = make_oci_layout(tmp_path / "a", busybox_tar, "busybox:latest")
    second = make_oci_layout(tmp_path / "b", busybox_tar, "busybox:latest",
                             extra_config={"author": "other"})
    _load(svc, tar_dir(tmp_path / "a", tmp_path / "a.tar"))
    _, msgs = _load(svc, tar_dir(tmp_path / "b", tmp_path / "b.tar"))
    assert msgs[0]["stream"].startswith(
        f"The image busybox:latest already exists, renaming the old one with ID {first}")
    assert svc.resolve("busybox").id == second
    assert svc.resolve(first).id == first  # the old one is now dangling, not gone


@needs_skopeo
def test_save_is_read_by_skopeo_and_round_trips(svc: ImageService, tmp_path: Path,
                                                layout: tuple[Path, str]) -> None:
    oci_dir, config = layout
    _load(svc, tar_dir(oci_dir, tmp_path / "in.tar"))
    svc.tag_image("busybox", "localhost:5000/team/bb", "v1")
    saved = tmp_path / "saved.tar"
    with saved.open("wb") as f:
        svc.save_images(["busybox:latest", "localhost:5000/team/bb:v1"], f)
    with tarfile.open(saved) as tf:
        manifest = json.load(tf.extractfile("manifest.json"))  # type: ignore[arg-type]
        names = tf.getnames()
    assert manifest[0]["Config"] == "blobs/sha256/" + config.removeprefix("sha256:")
    assert sorted(manifest[0]["RepoTags"]) == ["busybox:latest", "localhost:5000/team/bb:v1"]
    assert names.count(manifest[0]["Layers"][0]) == 1  # layer written once
    out = subprocess.run(["skopeo", "inspect", "--raw", f"docker-archive:{saved}:busybox:latest"],
                         check=True, capture_output=True, text=True).stdout
    assert json.loads(out)["config"]["digest"] == config
    subprocess.run(["skopeo", "copy", "-q", f"docker-archive:{saved}:busybox:latest",
                    f"oci:{tmp_path / 'back'}:latest"], check=True)
    other = open_service(tmp_path / "other", Events())
    try:
        _load(other, tar_dir(tmp_path / "back", tmp_path / "back.tar"))
        # skopeo re-serialises the config when converting to OCI: compare content instead
        back = other.inspect_image(other.list_images()[0]["Id"])
        orig = svc.inspect_image(config)
        assert back["RootFS"] == orig["RootFS"] and back["Config"] == orig["Config"]
        loaded, _ = _load(other, saved)  # our own save loads too
        assert sorted(loaded) == ["busybox:latest", "localhost:5000/team/bb:v1"]
    finally:
        close_service(other)


def test_save_bare_repo_means_all_its_tags(svc: ImageService, tmp_path: Path,
                                           busybox_tar: Path) -> None:
    make_oci_layout(tmp_path / "a", busybox_tar, "busybox:latest")
    _load(svc, tar_dir(tmp_path / "a", tmp_path / "a.tar"))
    svc.tag_image("busybox", "busybox", "1.0")
    svc.tag_image("busybox", "other", "x")
    buf = io.BytesIO()
    svc.save_images(["busybox"], buf)
    buf.seek(0)
    with tarfile.open(fileobj=buf) as tf:
        manifest = json.load(tf.extractfile("manifest.json"))  # type: ignore[arg-type]
        repos = json.load(tf.extractfile("repositories"))  # type: ignore[arg-type]
    assert sorted(manifest[0]["RepoTags"]) == ["busybox:1.0", "busybox:latest"]
    assert sorted(repos["busybox"]) == ["1.0", "latest"]
    rec = svc.resolve("busybox")
    buf2 = io.BytesIO()
    svc.save_images([rec.id[7:19]], buf2)
    buf2.seek(0)
    with tarfile.open(fileobj=buf2) as tf:
        assert json.load(tf.extractfile("manifest.json"))[0]["RepoTags"] is None  # type: ignore[arg-type]
