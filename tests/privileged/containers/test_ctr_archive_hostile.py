"""``docker cp`` into a container never writes outside it: hostile tars and hostile
container symlinks (``/etc2 -> <a host dir>``), for a created and a running container."""

from __future__ import annotations

import asyncio
import io
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest

from berth.containers.service import ContainerService
from berth.errdefs import InvalidArgument, NotFound

sys.path.insert(0, str(Path(__file__).parent))
from ctrtest_util import Env, until

pytestmark = pytest.mark.root


def _tar(*members: tuple[str, str, Any]) -> io.BytesIO:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for name, kind, value in members:
            info = tarfile.TarInfo(name)
            if kind == "file":
                info.size = len(value)
                tf.addfile(info, io.BytesIO(value))
                continue
            info.type = tarfile.SYMTYPE if kind == "sym" else tarfile.LNKTYPE
            info.linkname = value
            tf.addfile(info)
    buf.seek(0)
    return buf


def _read(svc: ContainerService, cid: str, path: str) -> bytes:
    _stat, chunks = svc.archive_get(cid, path)
    with tarfile.open(fileobj=io.BytesIO(b"".join(chunks))) as tf:
        member = tf.getmembers()[0]
        f = tf.extractfile(member)
        assert f is not None
        return f.read()


def _hostile_round(svc: ContainerService, cid: str, host: Path) -> None:
    # the container holds links that point at the host dir by absolute and relative path,
    # and a directory of that same name of its own (so the writes below have a target)
    with pytest.raises(NotFound, match="Could not find the file /nope"):
        svc.archive_put(cid, "/nope", _tar(("x", "file", b"x")))
    svc.archive_put(cid, "/", _tar((str(host).lstrip("/") + "/.mine", "file", b""),
                                   ("etc2", "sym", str(host)),
                                   ("tmp/up", "sym", "../../../../../../..")))
    svc.archive_put(cid, "/etc2", _tar(("through-abs", "file", b"a")))
    svc.archive_put(cid, "/tmp/up" + str(host), _tar(("through-rel", "file", b"r")))
    # links inside the tar itself, then writes through them
    svc.archive_put(cid, "/tmp", _tar(("lnk", "sym", str(host)),
                                      ("lnk/through-tar", "file", b"t"),
                                      ("/abs-name", "file", b"abs")))
    for bad in (_tar(("../../escape", "file", b"x")),
                _tar(("ok", "file", b"x"), ("hl", "hard", "../../../etc/passwd"))):
        with pytest.raises(InvalidArgument):
            svc.archive_put(cid, "/tmp", bad)
    assert sorted(p.name for p in host.iterdir()) == ["keep"], "wrote outside the rootfs"
    inside = str(host)
    assert _read(svc, cid, inside + "/through-abs") == b"a"
    assert _read(svc, cid, inside + "/through-rel") == b"r"
    assert _read(svc, cid, inside + "/through-tar") == b"t"
    assert _read(svc, cid, "/tmp/abs-name") == b"abs"
    # reading through the container's links stays inside too
    assert _read(svc, cid, "/etc2/through-abs") == b"a"
    with pytest.raises(NotFound):
        svc.archive_stat(cid, "/etc2/keep")


async def test_hostile_put_created(env: Env, tmp_path: Path) -> None:
    host = tmp_path / "host-dir"
    host.mkdir()
    (host / "keep").write_text("host file")
    svc = env.service()
    cid = (await asyncio.to_thread(svc.create, {"Image": "busybox", "Cmd": ["true"]}))["Id"]
    await asyncio.to_thread(_hostile_round, svc, cid, host)
    assert not svc.rootfs(cid).is_mount()  # the temporary mount went away


async def test_hostile_put_running(env: Env, tmp_path: Path) -> None:
    host = tmp_path / "host-dir"
    host.mkdir()
    (host / "keep").write_text("host file")
    svc = env.service()
    body = {"Image": "busybox", "Cmd": ["sleep", "60"],
            "HostConfig": {"Tmpfs": {"/scratch": ""}}}
    cid = (await asyncio.to_thread(svc.create, body))["Id"]
    await svc.start(cid)
    try:
        await asyncio.to_thread(_hostile_round, svc, cid, host)
        # a tmpfs of the running container is reachable (the container's own view)
        await asyncio.to_thread(svc.archive_put, cid, "/scratch", _tar(("t", "file", b"m")))
        assert await asyncio.to_thread(_read, svc, cid, "/scratch/t") == b"m"
        upper = env.snap.upper_dir(svc.get(cid)["SnapshotKey"])
        assert not (upper / "scratch" / "t").exists()
    finally:
        await svc.kill(cid, "KILL")
        await until(lambda: svc.get(cid)["State"]["Status"] == "exited")
