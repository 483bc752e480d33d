"""Container mounts for real (ContainerService + ContainerVolumes + VolumeService): copy-up
keeps owners, modes, xattrs and links; nocopy; subpaths stay in their volume; read-only
refuses writes; tmpfs sizes hold; an image symlink out of the rootfs is never followed."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import tarfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from berth.containers.service import ContainerService
from berth.containers.volglue import ContainerVolumes
from berth.errdefs import BerthError, InvalidArgument
from berth.testing.rootfs import make_busybox_rootfs
from berth.volumes import VolumeService

sys.path.insert(0, str(Path(__file__).parent))
from ctrtest_util import Env

pytestmark = pytest.mark.root
T = 20.0


def _image_tar(tmp: Path, secret: Path) -> Path:
    """busybox plus /data (1234:5678 0750: a 0640 file, a hard link, a symlink, an xattr)
    and /evil, /evil2: symlinks that would reach ``secret`` on the host if followed."""
    root = make_busybox_rootfs(tmp / "img")
    data = root / "data"
    (data / "sub").mkdir(parents=True)
    (data / "f").write_text("hello\n")
    os.link(data / "f", data / "hard")
    (data / "link").symlink_to("f")
    (data / "sub/g").write_text("g\n")
    for p, uid, mode in ((data, 1234, 0o750), (data / "f", 1000, 0o640),
                         (data / "sub", 42, 0o701)):
        os.chown(p, uid, 5678)
        os.chmod(p, mode)
    (root / "evil").symlink_to(str(secret))
    (root / "evil2").symlink_to("../../../../../../../../.." + str(secret))
    out = tmp / "img.tar"
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as tf:
        for entry in sorted(root.iterdir()):
            tf.add(entry, arcname=entry.name, filter=_xattr)
    return out


def _xattr(ti: tarfile.TarInfo) -> tarfile.TarInfo:
    if ti.name == "data/sub/g":
        ti.pax_headers = {"SCHILY.xattr.user.berth": "yes"}
    return ti


@pytest.fixture
async def vsvc(env: Env, tmp_path: Path) -> AsyncIterator[tuple[ContainerService, Any]]:
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "password").write_text("host secret\n")
    with open(_image_tar(tmp_path, secret), "rb") as f:
        env.images.import_image(f, repo="volimg", tag="latest", changes=['CMD ["sh"]'])
    vols = VolumeService(env.root, env.exec_root)
    glue = ContainerVolumes(vols)
    svc = ContainerService(env.root, env.exec_root, env.images, env.snap, env.spawner,
                           volumes=glue)
    glue.lookup = svc.get
    env.services.append(svc)
    try:
        yield svc, vols
    finally:
        for rec in list(svc.store):
            with contextlib.suppress(BerthError):
                await asyncio.to_thread(svc.remove, rec["ID"], True, True)
        vols.close()


async def run(svc: ContainerService, cmd: str, **hc: Any) -> tuple[int, str]:
    body = {"Image": "volimg", "Cmd": ["sh", "-c", cmd], "HostConfig": hc}
    cid = (await asyncio.to_thread(svc.create, body))["Id"]
    waiter = asyncio.ensure_future(svc.wait(cid, "next-exit"))
    await svc.start(cid)
    code = (await asyncio.wait_for(waiter, T))["StatusCode"]
    out = b"".join(chunk for _, chunk in svc.logs(cid)).decode()
    return code, out


def _data(vols: Any, name: str) -> Path:
    return Path(vols.inspect(name)["Mountpoint"])


async def test_copy_up_keeps_owner_mode_links_xattrs(vsvc: Any) -> None:
    svc, vols = vsvc
    code, out = await run(svc, "cat /data/f; echo more > /data/new", Binds=["cv:/data"])
    assert (code, out) == (0, "hello\n")
    d = _data(vols, "cv")
    st = d.stat()
    assert (st.st_uid, st.st_gid, st.st_mode & 0o7777) == (1234, 5678, 0o750)
    f = (d / "f").stat()
    assert (f.st_uid, f.st_mode & 0o7777) == (1000, 0o640)
    assert (d / "hard").stat().st_ino == f.st_ino and os.readlink(d / "link") == "f"
    assert ((d / "sub").stat().st_mode & 0o7777, (d / "sub").stat().st_uid) == (0o701, 42)
    with contextlib.suppress(OSError):  # the snapshot fs may not keep user xattrs
        assert os.getxattr(d / "sub/g", "user.berth") == b"yes"
    # a volume that holds data is not filled again; the next container sees the write
    (d / "f").write_text("changed\n")
    assert await run(svc, "cat /data/f /data/new", Binds=["cv:/data"]) == \
        (0, "changed\nmore\n")


async def test_nocopy_and_anonymous_image_path(vsvc: Any) -> None:
    svc, _vols = vsvc
    assert await run(svc, "ls -A /data", Binds=["nc:/data:nocopy"]) == (0, "")
    code, out = await run(svc, "ls /data", Mounts=[{"Type": "volume", "Target": "/data"}])
    assert (code, out) == (0, "f\nhard\nlink\nsub\n")


async def test_subpath(vsvc: Any) -> None:
    svc, vols = vsvc
    assert (await run(svc, "true", Binds=["sp:/data"]))[0] == 0
    os.symlink("/", _data(vols, "sp") / "up")
    sub = {"Type": "volume", "Source": "sp", "Target": "/s",
           "VolumeOptions": {"Subpath": "sub"}}
    assert await run(svc, "cat /s/g", Mounts=[sub]) == (0, "g\n")
    # a symlink inside the volume resolves inside it: "up" -> "/" is the volume root
    code, out = await run(svc, "ls /s", Mounts=[{**sub, "VolumeOptions": {"Subpath": "up"}}])
    assert code == 0 and out.split() == ["f", "hard", "link", "sub", "up"]
    with pytest.raises(InvalidArgument, match=r"cannot access path .*/nope"):
        await run(svc, "true", Mounts=[{**sub, "VolumeOptions": {"Subpath": "nope"}}])


async def test_read_only_refuses_writes(vsvc: Any, tmp_path: Path) -> None:
    svc, _ = vsvc
    host = tmp_path / "hostdir"
    _code, out = await run(svc, "touch /v/x 2>&1; touch /b/x 2>&1; echo done",
                          Binds=["rov:/v:ro", f"{host}:/b:ro"])
    assert out.count("Read-only file system") == 2 and out.endswith("done\n")
    assert host.is_dir() and not (host / "x").exists()  # -v created the missing dir


async def test_tmpfs_size_and_mode(vsvc: Any) -> None:
    svc, _ = vsvc
    fill = "dd if=/dev/zero of={}/f bs=1024 count=2048 2>/dev/null; echo $?; stat -c %a {}"
    _code, out = await run(svc, fill.format("/t", "/t") + ";" + fill.format("/m", "/m"),
                          Tmpfs={"/t": "size=1m,mode=1770"}, Mounts=[{
                              "Type": "tmpfs", "Target": "/m",
                              "TmpfsOptions": {"SizeBytes": 1 << 20, "Mode": 0o700}}])
    assert out.split() == ["1", "1770", "1", "700"]


async def test_image_symlink_escape_stays_confined(vsvc: Any, tmp_path: Path) -> None:
    svc, vols = vsvc
    code, out = await run(svc, "ls -A /evil /evil2", Binds=["esc:/evil", "esc2:/evil2"])
    assert code == 0 and "password" not in out
    for name in ("esc", "esc2"):
        assert list(_data(vols, name).iterdir()) == []
    assert (tmp_path / "secret/password").read_text() == "host secret\n"
