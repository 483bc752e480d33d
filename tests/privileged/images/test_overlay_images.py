"""Images on the overlay snapshotter, mounted for real: layers stack, whiteouts hide."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from berth.content import LocalStore
from berth.images import ImageService
from berth.metadata import MetadataDB
from berth.mount import mount_all, unmount_all
from berth.snapshots import OverlaySnapshotter, overlay_supported

sys.path.insert(0, str(Path(__file__).parents[2] / "unit" / "images"))
from imgtest_util import make_oci_layout, tar_dir

pytestmark = pytest.mark.root


def _tar(entries: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        for name, data in entries:
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            tf.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


@pytest.fixture
def svc(tmp_path: Path) -> Iterator[ImageService]:
    root = tmp_path / "root"
    root.mkdir()
    if not overlay_supported(root):
        pytest.skip("overlayfs not usable here")
    s = ImageService(root, LocalStore(root / "content"), OverlaySnapshotter(root / "overlay"),
                     MetadataDB(root / "metadata.db"))
    yield s
    s.db.close()
    s.snapshotter.close()  # type: ignore[attr-defined]


def _two_layer_archive(tmp: Path) -> bytes:
    base = _tar([("etc/keep", b"keep\n"), ("etc/gone", b"gone\n")])
    top = _tar([("etc/.wh.gone", b""), ("etc/new", b"new\n")])
    diffs = ["sha256:" + hashlib.sha256(t).hexdigest() for t in (base, top)]
    layers = [gzip.compress(t, mtime=0) for t in (base, top)]
    cfg = json.dumps({"architecture": "amd64", "os": "linux",
                      "rootfs": {"type": "layers", "diff_ids": diffs}}).encode()

    def path(d: bytes) -> str:
        return "blobs/sha256/" + hashlib.sha256(d).hexdigest()
    manifest = [{"Config": path(cfg), "RepoTags": ["two:1"], "Layers": [path(la) for la in layers]}]
    return _tar([(path(cfg), cfg), *[(path(la), la) for la in layers],
                 ("manifest.json", json.dumps(manifest).encode())])


def test_whiteouts_hide_files_in_mounted_rootfs(svc: ImageService, tmp_path: Path) -> None:
    assert svc.load_images(io.BytesIO(_two_layer_archive(tmp_path))) == ["two:1"]
    rec = svc.resolve("two:1")
    target = tmp_path / "mnt"
    target.mkdir()
    mounts = svc.snapshotter.prepare("ctr-1", rec.top_chain)
    try:
        mount_all(mounts, target)
        try:
            assert (target / "etc/keep").read_text() == "keep\n"
            assert (target / "etc/new").read_text() == "new\n"
            assert not (target / "etc/gone").exists()
        finally:
            unmount_all(target, detach=True)
        # the container's snapshot holds the layers: rmi -f + gc keeps what it sits on
        svc.remove_image("two:1", force=True)
        assert svc.snapshotter.stat(rec.top_chain)
    finally:
        svc.snapshotter.remove("ctr-1")
    svc.gc()
    assert list(svc.snapshotter.walk()) == []


def test_busybox_layout_loads_and_mounts(svc: ImageService, tmp_path: Path,
                                         busybox_tar: Path) -> None:
    make_oci_layout(tmp_path / "oci", busybox_tar, "busybox:latest")
    with tar_dir(tmp_path / "oci", tmp_path / "oci.tar").open("rb") as f:
        assert svc.load_images(f) == ["busybox:latest"]
    img = svc.inspect_image("busybox")
    assert img["Size"] > 0
    target = tmp_path / "mnt"
    target.mkdir()
    mounts = svc.snapshotter.view("view-1", svc.rootfs_chain(img["Id"]))
    try:
        mount_all(mounts, target)
        try:
            assert (target / "bin/busybox").stat().st_size > 100_000
            assert (target / "bin/sh").is_symlink()
        finally:
            unmount_all(target, detach=True)
    finally:
        svc.snapshotter.remove("view-1")
