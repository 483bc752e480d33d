from __future__ import annotations

import gzip
import io

import pytest
import zstandard
from imgtest_util import Events, tar_of

from berth.errdefs import InvalidArgument
from berth.images import ImageService
from berth.images.changes import apply_changes
from berth.oci.image import ContainerConfig

ROOTFS = tar_of({"etc/hello": b"hi\n", "bin/tool": b"#!/bin/sh\n"})


@pytest.mark.parametrize("wrap", [lambda b: b, lambda b: gzip.compress(b),
                                  lambda b: zstandard.ZstdCompressor().compress(b)])
def test_import_plain_gzip_zstd_same_image_layer(svc: ImageService, wrap) -> None:  # type: ignore[no-untyped-def]
    iid = svc.import_image(io.BytesIO(wrap(ROOTFS)), repo="imp", tag="t", changes=[],
                           message="", platform="linux/arm64")
    img = svc.inspect_image("imp:t")
    assert img["Id"] == iid and img["Architecture"] == "arm64"
    assert img["Comment"] == "Imported from -"
    assert img["RootFS"]["Layers"] == [svc.resolve(iid).layers[0].diff_id]
    hist = svc.image_history(iid)
    assert len(hist) == 1 and hist[0]["Comment"] == "Imported from -"
    assert hist[0]["Size"] > 0


def test_import_with_changes_and_message(svc: ImageService, events: Events) -> None:
    iid = svc.import_image(
        io.BytesIO(ROOTFS), repo="foo:imp", tag=None, message="from test",
        changes=['CMD ["/bin/tool", "x"]', "ENTRYPOINT tini --", "ENV A=1 B='two words'",
                 "ENV A 3", "EXPOSE 80 53/udp 8000-8001", 'LABEL a=b "c d"=e',
                 "ONBUILD RUN true", "USER nobody", "VOLUME /data /logs", "WORKDIR /srv",
                 "WORKDIR app", "STOPSIGNAL SIGINT"], platform=None)
    cfg = svc.inspect_image("foo:imp")["Config"]
    assert cfg["Cmd"] == ["/bin/tool", "x"]
    assert cfg["Entrypoint"] == ["/bin/sh", "-c", "tini --"]
    assert cfg["Env"] == ["B=two words", "A=3"]
    assert sorted(cfg["ExposedPorts"]) == ["53/udp", "80/tcp", "8000/tcp", "8001/tcp"]
    assert cfg["Labels"] == {"a": "b", "c d": "e"}
    assert cfg["OnBuild"] == ["RUN true"] and cfg["User"] == "nobody"
    assert cfg["Volumes"] == {"/data": {}, "/logs": {}}
    assert cfg["WorkingDir"] == "/srv/app" and cfg["StopSignal"] == "SIGINT"
    assert svc.inspect_image(iid)["Comment"] == "from test"
    assert events[-1] == ("import", iid, {"name": "foo:imp"})


@pytest.mark.parametrize(("change", "msg"), [
    ("RUN echo", "RUN is not a valid change command"),
    ("FROM x", "FROM is not a valid change command"),
    ("CMD", "requires at least one argument"),
    ("EXPOSE abc", "invalid containerPort"),
    ("ENV =x", "Must be of the form"),
    ("ONBUILD ONBUILD RUN x", "isn't allowed"),
])
def test_bad_changes_rejected(svc: ImageService, change: str, msg: str) -> None:
    with pytest.raises(InvalidArgument, match=msg):
        svc.import_image(io.BytesIO(ROOTFS), repo="x", tag=None, changes=[change], message="",
                         platform=None)
    assert svc.list_images() == []
    assert list(svc.content.walk()) == []


def test_import_rejects_non_tar_and_bad_repo(svc: ImageService) -> None:
    with pytest.raises(InvalidArgument, match="not a tar"):
        svc.import_image(io.BytesIO(b"hello world" * 100), repo="x", tag=None, changes=[],
                         message="", platform=None)
    with pytest.raises(InvalidArgument, match="lowercase"):
        svc.import_image(io.BytesIO(ROOTFS), repo="Bad", tag=None, changes=[], message="",
                         platform=None)
    with pytest.raises(InvalidArgument, match="platform"):
        svc.import_image(io.BytesIO(ROOTFS), repo="x", tag=None, changes=[], message="",
                         platform="linux//x")
    assert svc.list_images() == [] and list(svc.content.walk()) == []
    assert list(svc.snapshotter.walk()) == []


def test_apply_changes_json_cmd_and_shell_volume() -> None:
    c = apply_changes(ContainerConfig(), ['VOLUME ["/a", "/b"]', "CMD echo hi"])
    assert c.Volumes == {"/a": {}, "/b": {}}
    assert c.Cmd == ["/bin/sh", "-c", "echo hi"]
