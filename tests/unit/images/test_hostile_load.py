"""Broken or hostile tarballs: clear errors, nothing registered, nothing left behind."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile

import pytest
from imgtest_util import tar_of

from berth.errdefs import BerthError, DataLoss, InvalidArgument
from berth.images import ImageService

LAYER = tar_of({"hello": b"hi\n"})
DIFF = "sha256:" + hashlib.sha256(LAYER).hexdigest()


def _config(diff_ids: list[str]) -> bytes:
    return json.dumps({"architecture": "amd64", "os": "linux",
                       "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()


def _tar(members: list[tuple[str, bytes | None, str]]) -> io.BytesIO:
    """members: (name, data, linkname); data None + linkname → symlink."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        for name, data, link in members:
            ti = tarfile.TarInfo(name)
            if data is None:
                ti.type, ti.linkname = tarfile.SYMTYPE, link
                tf.addfile(ti)
            else:
                ti.size = len(data)
                tf.addfile(ti, io.BytesIO(data))
    buf.seek(0)
    return buf


def _blob(data: bytes) -> tuple[str, bytes]:
    return "blobs/sha256/" + hashlib.sha256(data).hexdigest(), data


def _docker_save(config: bytes, layers: list[bytes], tags: list[str] | None = None,
                 extra: list[tuple[str, bytes | None, str]] | None = None) -> io.BytesIO:
    cpath, _ = _blob(config)
    lpaths = [_blob(la)[0] for la in layers]
    manifest = [{"Config": cpath, "RepoTags": tags or ["evil:latest"], "Layers": lpaths}]
    return _tar([(cpath, config, ""), *[(p, la, "") for p, la in zip(lpaths, layers, strict=True)],
                 *(extra or []), ("manifest.json", json.dumps(manifest).encode(), "")])


def _assert_clean(svc: ImageService) -> None:
    assert svc.list_images() == []
    assert list(svc.content.walk()) == []
    assert list(svc.snapshotter.walk()) == []


def test_valid_baseline_loads(svc: ImageService) -> None:
    assert svc.load_images(_docker_save(_config([DIFF]), [LAYER])) == ["evil:latest"]


@pytest.mark.parametrize(("stream", "err", "msg"), [
    (lambda: _tar([("../evil", b"x", "")]), InvalidArgument, "unsafe path"),
    (lambda: _tar([("/etc/evil", b"x", "")]), InvalidArgument, "unsafe path"),
    (lambda: _tar([("a/../../b", b"x", "")]), InvalidArgument, "unsafe path"),
    (lambda: _tar([("link", None, "../../etc/passwd")]), InvalidArgument, "outside"),
    (lambda: _tar([("link", None, "/etc/passwd")]), InvalidArgument, "outside"),
    (lambda: io.BytesIO(b"definitely not a tar" * 100), InvalidArgument, "invalid archive"),
    (lambda: _tar([("manifest.json", b"{not json", "")]), InvalidArgument, "manifest.json"),
    (lambda: _tar([("manifest.json", b'[{"Config": 5}]', "")]), InvalidArgument, "manifest"),
    (lambda: _tar([("hello", b"x", "")]), InvalidArgument, "no manifest.json or index.json"),
    (lambda: _tar([("blobs/sha256/" + "0" * 64, b"x", "")]), DataLoss, "does not match"),
    (lambda: _tar([("blobs/sha256/zz", b"x", "")]), InvalidArgument, "bad blob name"),
    (lambda: _docker_save(_config([DIFF]), []), InvalidArgument, "lists 1 layers"),
    (lambda: _docker_save(_config(["sha256:" + "1" * 64]), [LAYER]), DataLoss, "diff_id"),
    (lambda: _docker_save(_config([DIFF]), [LAYER], ["Bad:Tag"]), InvalidArgument, "lowercase"),
    (lambda: _docker_save(b"{nope", [LAYER]), InvalidArgument, "invalid image config"),
    (lambda: _tar([("manifest.json", json.dumps([{"Config": "c.json", "Layers": []}]).encode(),
                    "")]), InvalidArgument, "c.json not found"),
    (lambda: _tar([("index.json", json.dumps({"schemaVersion": 2, "manifests": [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json",
         "digest": "sha256:" + "2" * 64, "size": 3}]}).encode(), "")]),
     InvalidArgument, "is missing"),
    (lambda: _tar([("oci-layout", b'{"imageLayoutVersion": "9"}', ""),
                   ("index.json", b'{"schemaVersion": 2, "manifests": []}', "")]),
     InvalidArgument, "layout version"),
])
def test_hostile_or_broken(svc: ImageService, stream, err, msg) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(err, match=msg):
        svc.load_images(stream())
    _assert_clean(svc)


def test_second_bad_image_registers_neither(svc: ImageService) -> None:
    good_cfg, bad_cfg = _config([DIFF]), _config(["sha256:" + "3" * 64])
    manifest = [{"Config": _blob(c)[0], "RepoTags": [t], "Layers": [_blob(LAYER)[0]]}
                for c, t in ((good_cfg, "good:1"), (bad_cfg, "bad:1"))]
    stream = _tar([(*_blob(good_cfg), ""), (*_blob(bad_cfg), ""), (*_blob(LAYER), ""),
                   ("manifest.json", json.dumps(manifest).encode(), "")])
    with pytest.raises(DataLoss):
        svc.load_images(stream)
    _assert_clean(svc)


def test_internal_symlinks_are_followed(svc: ImageService) -> None:
    cfg = _config([DIFF])
    manifest = [{"Config": "c.json", "RepoTags": ["ok:1"], "Layers": ["x/layer.tar"]}]
    stream = _tar([("c.json", cfg, ""), ("real.tar", LAYER, ""),
                   ("x/layer.tar", None, "../real.tar"),
                   ("manifest.json", json.dumps(manifest).encode(), "")])
    assert svc.load_images(stream) == ["ok:1"]


def test_errors_are_taxonomy_errors(svc: ImageService) -> None:
    with pytest.raises(BerthError):
        svc.load_images(io.BytesIO(b""))
