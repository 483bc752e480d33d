"""docker-py against berthd: ``put_archive``, ``get_archive`` (stat header), ``commit``."""

from __future__ import annotations

import io
import os
import shutil
import tarfile
import time
from typing import Any

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.root,
              pytest.mark.skipif(os.geteuid() != 0, reason="containers need root"),
              pytest.mark.skipif(shutil.which("docker") is None, reason="no docker CLI"),
              pytest.mark.usefixtures("clean_containers")]  # `d`: tests/e2e/conftest.py


def _tar(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o640
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def test_put_get_archive_and_stat(d: Any) -> None:
    c = d.client().containers.create("busybox", ["true"])
    assert c.put_archive("/tmp", _tar({"dir/hello.txt": b"hi\n"})) is True
    stream, stat = c.get_archive("/tmp/dir/hello.txt")
    assert stat["name"] == "hello.txt" and stat["size"] == 3
    assert stat["mode"] == 0o640 and stat["linkTarget"] == ""
    with tarfile.open(fileobj=io.BytesIO(b"".join(stream))) as tf:
        f = tf.extractfile("hello.txt")
        assert f is not None and f.read() == b"hi\n"
    _, dstat = c.get_archive("/tmp/dir")
    assert dstat["mode"] & (1 << 31) and dstat["name"] == "dir"
    _, lstat = c.get_archive("/bin/sh")  # busybox applet link
    assert lstat["mode"] & (1 << 27) and lstat["linkTarget"] == "/bin/busybox"


def test_put_archive_hostile_entries_refused(d: Any) -> None:
    import docker.errors
    c = d.client().containers.create("busybox", ["true"])
    with pytest.raises(docker.errors.APIError) as err:
        c.put_archive("/tmp", _tar({"../../../../etc/berth-evil": b"x"}))
    assert "climbs out" in str(err.value)
    assert not os.path.exists("/etc/berth-evil")


def test_get_archive_missing(d: Any) -> None:
    import docker.errors
    c = d.client().containers.create("busybox", ["true"])
    with pytest.raises(docker.errors.NotFound, match="Could not find the file /nope"):
        c.get_archive("/nope")


def test_commit_with_config(d: Any) -> None:
    cl = d.client()
    c = cl.containers.run("busybox", ["sh", "-c", "echo py > /py.txt"], detach=True)
    assert c.wait()["StatusCode"] == 0
    since = int(time.time()) - 1
    img = c.commit(repository="pysnap", tag="v1", message="from py", author="me",
                   changes=["LABEL a=b"], conf={"Cmd": ["cat", "/py.txt"]})
    try:
        assert img.id.startswith("sha256:")
        attrs = cl.images.get("pysnap:v1").attrs
        assert attrs["Comment"] == "from py" and attrs["Author"] == "me"
        assert attrs["Config"]["Labels"] == {"a": "b"}
        assert cl.containers.run("pysnap:v1", remove=True) == b"py\n"
        assert attrs["Parent"] == cl.images.get("busybox").id
        evs = list(cl.events(since=since, until=int(time.time()) + 1, decode=True,
                             filters={"type": "container", "event": "commit"}))
        assert [e["Actor"]["Attributes"]["imageRef"] for e in evs] == ["pysnap:v1"]
    finally:
        d.remove_all_containers()
        cl.images.remove("pysnap:v1")
