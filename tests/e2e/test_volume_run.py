"""Volumes and mounts end to end with the docker CLI, berth's CLI and docker-py: data in a
named volume outlives its containers (and a SIGKILL of berthd), copy-up from the image,
read-only and tmpfs limits, --mount forms, --volumes-from, rm -v, inspect ``Mounts``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

#: volumes need no networking; a private netns per run would only cost time
NO_NET = ("--network", "none")
pytestmark = [pytest.mark.e2e, pytest.mark.root, pytest.mark.usefixtures("clean_containers")]


def _mounts(d: Any, ctr: str) -> dict[str, dict[str, Any]]:
    out = json.loads(d.docker("inspect", "-f", "{{json .Mounts}}", ctr).stdout)
    return {m["Destination"]: m for m in out}


def _volumes(d: Any) -> set[str]:
    return set(d.docker("volume", "ls", "-q").stdout.split())


def test_named_volume_shared_between_containers(d: Any) -> None:
    d.docker("run", *NO_NET, "--rm", "-v", "e2e-data:/data", "busybox", "sh", "-c",
             "echo kept > /data/f")
    assert d.berth("run", *NO_NET, "--rm", "-v", "e2e-data:/data", "busybox",
                   "cat", "/data/f").stdout == "kept\n"
    client = d.client()
    out = client.containers.run("busybox", ["cat", "/data/f"], remove=True, network_mode="none",
                                volumes={"e2e-data": {"bind": "/data", "mode": "ro"}})
    assert out == b"kept\n"
    assert "e2e-data" in _volumes(d)


def test_copy_up_of_etc_and_nocopy(d: Any) -> None:
    out = d.docker("run", *NO_NET, "--rm", "-v", "e2e-etc:/etc", "busybox", "sh", "-c",
                   "grep ^root: /etc/passwd; cat /etc/hostname").stdout
    assert out.startswith("root:x:0:0:") and len(out.splitlines()) == 2
    out = d.docker("run", *NO_NET, "--rm", "-v", "e2e-nc:/etc:nocopy", "busybox", "ls", "-A",
                   "/etc").stdout
    assert "passwd" not in out


def test_read_only_and_tmpfs_limits(d: Any, tmp_path: Path) -> None:
    r = d.docker("run", *NO_NET, "--rm", "-v", "e2e-ro:/data:ro", "-v", f"{tmp_path}:/h:ro",
                 "busybox", "sh", "-c", "touch /data/x || touch /h/x || exit 7", check=False)
    assert r.returncode == 7 and r.stderr.count("Read-only file system") == 2
    r = d.docker("run", *NO_NET, "--rm", "--tmpfs", "/t:size=1m", "busybox", "sh", "-c",
                 "dd if=/dev/zero of=/t/f bs=1024 count=2048", check=False)
    assert r.returncode == 1 and "No space left on device" in r.stderr


def test_mount_flag_forms(d: Any, tmp_path: Path) -> None:
    (tmp_path / "in").write_text("from host\n")
    r = d.docker("run", *NO_NET, "--name", "e2e-mnt", "--mount", "type=volume,src=e2e-mv,dst=/v",
                 "--mount", f"type=bind,source={tmp_path},target=/b,readonly",
                 "--mount", "type=tmpfs,destination=/t,tmpfs-size=1m,tmpfs-mode=1770",
                 "--mount", "type=volume,dst=/anon,volume-nocopy", "busybox", "sh", "-c",
                 "cat /b/in; echo v > /v/f; stat -c %a /t; touch /b/x", check=False)
    assert r.stdout == "from host\n1770\n" and r.returncode == 1
    m = _mounts(d, "e2e-mnt")
    anon = m["/anon"]["Name"]
    assert len(anon) == 64
    data = d.data_root
    want = {
        "/v": {"Type": "volume", "Name": "e2e-mv",
               "Source": f"{data}/volumes/e2e-mv/_data", "Destination": "/v",
               "Driver": "local", "Mode": "z", "RW": True, "Propagation": ""},
        "/b": {"Type": "bind", "Source": str(tmp_path), "Destination": "/b", "Mode": "",
               "RW": False, "Propagation": "rprivate"},
        "/t": {"Type": "tmpfs", "Source": "", "Destination": "/t", "Mode": "", "RW": True,
               "Propagation": ""},
        "/anon": {"Type": "volume", "Name": anon, "Source": f"{data}/volumes/{anon}/_data",
                  "Destination": "/anon", "Driver": "local", "Mode": "z", "RW": True,
                  "Propagation": ""},
    }
    assert m == want
    bad = d.docker("run", *NO_NET, "--rm", "--mount", "type=bind,src=/nonexistent-e2e,dst=/x",
                   "busybox", "true", check=False)
    assert bad.returncode == 125 and ('invalid mount config for type "bind": bind source '
                                      'path does not exist: /nonexistent-e2e') in bad.stderr


def test_inspect_mounts_for_v_flags(d: Any, tmp_path: Path) -> None:
    d.docker("create", *NO_NET, "--name", "e2e-v", "-v", "e2e-named:/n", "-v", f"{tmp_path}:/h:ro",
             "-v", "/anon", "--tmpfs", "/x", "busybox")
    m = _mounts(d, "e2e-v")
    assert set(m) == {"/n", "/h", "/anon"}  # --tmpfs is not a mount point in docker
    assert m["/n"]["Mode"] == "z" and m["/n"]["Driver"] == "local"
    assert m["/h"] == {"Type": "bind", "Source": str(tmp_path), "Destination": "/h",
                       "Mode": "ro", "RW": False, "Propagation": "rprivate"}
    assert m["/anon"]["Mode"] == "" and m["/anon"]["Type"] == "volume"  # Config.Volumes
    names = d.docker("ps", "-a", "--filter", "volume=e2e-named", "--format",
                     "{{.Names}}").stdout.split()
    assert names == ["e2e-v"]
    assert d.docker("ps", "-a", "--filter", "volume=/h", "-q").stdout.strip()
    bad = d.docker("create", *NO_NET, "-v", "bad name:/x", "busybox", check=False)
    assert bad.returncode == 1 and 'create bad name: "bad name" includes invalid ' \
        'characters for a local volume name' in bad.stderr


def test_volumes_from_and_rm_v(d: Any) -> None:
    d.docker("run", *NO_NET, "--name", "e2e-src", "-v", "e2e-shared:/data", "-v", "/anon",
             "busybox", "sh", "-c", "echo s > /data/f; echo a > /anon/f")
    anon = _mounts(d, "e2e-src")["/anon"]["Name"]
    r = d.docker("run", *NO_NET, "--name", "e2e-from", "--volumes-from", "e2e-src:ro", "busybox",
                 "sh", "-c", "cat /data/f /anon/f; touch /data/x", check=False)
    assert r.stdout == "s\na\n" and r.returncode == 1
    m = _mounts(d, "e2e-from")
    assert not m["/data"]["RW"] and m["/anon"]["Name"] == anon
    bad = d.docker("create", *NO_NET, "--volumes-from", "e2e-missing", "busybox", check=False)
    assert bad.returncode != 0 and "No such container: e2e-missing" in bad.stderr
    d.docker("rm", "-v", "e2e-src")
    assert anon in _volumes(d)  # still used by e2e-from
    d.docker("rm", "-v", "e2e-from")
    vols = _volumes(d)
    assert anon not in vols and "e2e-shared" in vols  # anonymous gone, named kept


def test_volume_data_survives_kill9(berthd: Any, tmp_path: Path) -> None:
    from berth.testing.rootfs import make_busybox_tar

    tar = make_busybox_tar(tmp_path / "bb.tar", tmp_path)
    berthd.docker("import", "-c", 'CMD ["sh"]', str(tar), "busybox:latest")
    berthd.docker("run", *NO_NET, "--name", "k9w", "-v", "k9:/data", "busybox", "sh", "-c",
                  "echo durable > /data/f; sync")
    berthd.kill9_and_restart()
    assert "k9" in set(berthd.docker("volume", "ls", "-q").stdout.split())
    assert berthd.docker("run", *NO_NET, "--rm", "-v", "k9:/data", "busybox", "cat",
                         "/data/f").stdout == "durable\n"
    rm = berthd.docker("volume", "rm", "k9", check=False)
    assert rm.returncode != 0 and "volume is in use" in rm.stderr
    berthd.docker("rm", "k9w")
    berthd.docker("volume", "rm", "k9")
