"""VolumeService over a fake kernel: the Engine API backend and the container side."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from volumes_fakekernel import FakeKernel

from berth.errdefs import BerthError, Conflict, InvalidArgument, NotFound
from berth.volumes import ANONYMOUS_LABEL, VolumeService

Events = list[tuple[str, str, str, dict[str, str]]]


def make(tmp_path: Path, kernel: FakeKernel | None = None) -> tuple[VolumeService, Events]:
    events: Events = []
    svc = VolumeService(tmp_path / "data", tmp_path / "exec",
                        lambda t, a, i, at: events.append((t, a, i, at)),
                        plugin_dirs=[tmp_path / "plugins"], kernel=kernel or FakeKernel())
    return svc, events


def test_create_inspect_shape(tmp_path: Path) -> None:
    svc, events = make(tmp_path)
    v = svc.create({"Name": "v1", "Driver": "local", "Labels": {"b": "2", "a": "1"}})
    assert list(v) == ["CreatedAt", "Driver", "Labels", "Mountpoint", "Name", "Options",
                       "Scope"]
    assert list(v["Labels"]) == ["a", "b"] and v["Options"] is None
    assert v["Mountpoint"] == str(tmp_path / "data/volumes/v1/_data")
    assert os.path.isdir(v["Mountpoint"])
    assert svc.inspect("v1") == v
    assert events == [("volume", "create", "v1", {"driver": "local"})]
    assert svc.create({"Name": "v1"}) == v  # same name: the existing volume, no event
    assert len(events) == 1


def test_anonymous_create(tmp_path: Path) -> None:
    svc, _ = make(tmp_path)
    v = svc.create({})
    assert len(v["Name"]) == 64 and v["Labels"] == {ANONYMOUS_LABEL: ""}


def test_bad_input_leaves_nothing(tmp_path: Path) -> None:
    svc, events = make(tmp_path)
    for body, err in [({"Name": "a b"}, InvalidArgument), ({"Name": "v", "Driver": "local"},
                      InvalidArgument), ({"Name": "ok", "DriverOpts": {"x": "1"}},
                                         InvalidArgument), ({"Name": 3}, InvalidArgument),
                      ({"Name": "ok", "Driver": "nosuch"}, NotFound)]:
        with pytest.raises(err):
            svc.create(body)
    assert svc.list()["Volumes"] == [] and events == []
    assert sorted(os.listdir(tmp_path / "data/volumes")) == [
        n for n in ("metadata.db", "metadata.db-shm", "metadata.db-wal")
        if (tmp_path / "data/volumes" / n).exists()]
    with pytest.raises(NotFound) as exc:
        svc.create({"Name": "ok", "Driver": "nosuch"})
    assert exc.value.message == ('create ok: error looking up volume plugin nosuch: '
                                 'plugin "nosuch" not found')
    with pytest.raises(InvalidArgument) as exc2:
        svc.create({"Name": "ok", "DriverOpts": {"x": "1"}})
    assert exc2.value.message == 'create ok: invalid option: "x"'


def test_driver_conflict(tmp_path: Path) -> None:
    svc, _ = make(tmp_path)
    svc.create({"Name": "v1"})
    with pytest.raises(Conflict, match="create v1: driver 'local' already has volume 'v1': "
                                       "volume name must be unique"):
        svc.get_or_create("v1", "other", None, None)


def test_list_filters(tmp_path: Path) -> None:
    svc, _ = make(tmp_path)
    svc.create({"Name": "alpha", "Labels": {"env": "prod"}})
    svc.create({"Name": "beta", "Labels": {"env": "dev", "x": ""}})
    svc.create({"Name": "gamma2"})
    svc.acquire("beta", "c1")

    def names(**f: list[str]) -> list[str]:
        return sorted(v["Name"] for v in svc.list(dict(f))["Volumes"])

    assert names() == ["alpha", "beta", "gamma2"]
    assert names(dangling=["true"]) == ["alpha", "gamma2"]
    assert names(dangling=["0"]) == ["beta"]
    assert names(label=["env"]) == ["alpha", "beta"]
    assert names(label=["env=dev"]) == ["beta"]
    assert names(label=["env", "x"]) == ["beta"]
    assert names(name=["a$"]) == ["alpha", "beta"]
    assert names(name=["^g.*\\d"]) == ["gamma2"]
    assert names(driver=["local"]) == ["alpha", "beta", "gamma2"]
    assert names(driver=["nfs"]) == []
    with pytest.raises(InvalidArgument, match="invalid filter 'dangling=maybe'"):
        svc.list({"dangling": ["maybe"]})
    with pytest.raises(InvalidArgument, match="invalid filter 'until'"):
        svc.list({"until": ["1h"]})


def test_remove_in_use_and_force(tmp_path: Path) -> None:
    svc, events = make(tmp_path)
    svc.create({"Name": "v1"})
    svc.acquire("v1", "c2")
    svc.acquire("v1", "c1")
    for force in (False, True):  # force does not override "in use" (docker)
        with pytest.raises(Conflict) as exc:
            svc.remove("v1", force=force)
        assert exc.value.message == "remove v1: volume is in use - [c1, c2]"
    svc.release("v1", "c1")
    svc.release("v1", "c2")
    svc.release("v1", "c2")  # idempotent
    svc.remove("v1")
    assert not (tmp_path / "data/volumes/v1").exists()
    assert events[-1] == ("volume", "destroy", "v1", {"driver": "local"})
    with pytest.raises(NotFound, match="get v1: no such volume"):
        svc.remove("v1")
    svc.remove("v1", force=True)
    with pytest.raises(NotFound, match="get v1: no such volume"):
        svc.inspect("v1")


def test_prune(tmp_path: Path) -> None:
    svc, events = make(tmp_path)
    anon = svc.create({})["Name"]
    used = svc.create({})["Name"]
    svc.acquire(used, "c1")
    svc.create({"Name": "named", "Labels": {"keep": "yes"}})
    svc.create({"Name": "other"})
    svc.create({"Name": "tmp", "DriverOpts": {"type": "tmpfs", "device": "tmpfs"}})
    Path(svc.inspect(anon)["Mountpoint"], "f").write_bytes(b"x" * 1000)
    assert svc.prune({}) == {"VolumesDeleted": [anon], "SpaceReclaimed": 1000}
    assert events[-1] == ("volume", "prune", "", {"reclaimed": "1000"})
    rep = svc.prune({"all": ["true"], "label!": ["keep=yes"]})
    assert rep["VolumesDeleted"] == ["other"]  # never options volumes, never used ones
    with pytest.raises(InvalidArgument, match=r"invalid filter 'all': strconv.ParseBool"):
        svc.prune({"all": ["x"]})
    with pytest.raises(InvalidArgument, match="invalid filter 'dangling'"):
        svc.prune({"dangling": ["true"]})


def test_usage(tmp_path: Path) -> None:
    svc, _ = make(tmp_path)
    svc.create({"Name": "v1"})
    svc.create({"Name": "t1", "DriverOpts": {"type": "tmpfs", "device": "tmpfs"}})
    data = Path(svc.inspect("v1")["Mountpoint"])
    (data / "a").write_bytes(b"1" * 300)
    os.link(data / "a", data / "b")  # hard links count once
    (data / "d").mkdir()
    (data / "d" / "c").write_bytes(b"2" * 20)
    svc.acquire("v1", "c1")
    usage = svc.usage()
    assert [u["Name"] for u in usage] == ["v1"]
    assert usage[0]["UsageData"] == {"Size": 320, "RefCount": 1}


def test_tmpfs_mount_shared_by_users(tmp_path: Path) -> None:
    k = FakeKernel()
    svc, events = make(tmp_path, k)
    svc.create({"Name": "tv", "DriverOpts": {"type": "tmpfs", "device": "tmpfs",
                                             "o": "size=1m,uid=1000"}})
    target = str(tmp_path / "data/volumes/tv/_data")
    assert svc.mount("tv", "c1", {"destination": "/d"}) == target
    assert svc.mount("tv", "c2") == target
    assert k.calls == [("mount", "tmpfs", target, "tmpfs", "0x0", "size=1m,uid=1000")]
    assert events[-2][1:] == ("mount", "tv", {"driver": "local", "container": "c1",
                                             "destination": "/d"})
    svc.unmount("tv", "c1")
    assert k.mounted == [target]
    svc.unmount("tv", "c2")
    svc.unmount("tv", "c2")  # idempotent
    assert k.mounted == [] and events[-1][1] == "unmount"


def test_mount_without_filesystem_says_so(tmp_path: Path) -> None:
    k = FakeKernel(filesystems={"tmpfs"})
    svc, _ = make(tmp_path, k)
    svc.create({"Name": "nf", "DriverOpts": {"type": "nfs", "device": ":/export",
                                             "o": "addr=192.0.2.1,vers=4"}})
    with pytest.raises(BerthError) as exc:
        svc.mount("nf", "c1")
    target = tmp_path / "data/volumes/nf/_data"
    assert k.calls == [("mount", ":/export", str(target), "nfs", "0x0",
                        "addr=192.0.2.1,vers=4")]
    assert exc.value.message.startswith(
        f"failed to mount local volume: mount :/export:{target}, data: addr=192.0.2.1,vers=4: "
        "no such device (this kernel has no nfs filesystem")
    assert svc.store.users("mounts", "nf") == []


def test_restart_keeps_used_mounts_and_sweeps_orphans(tmp_path: Path) -> None:
    k = FakeKernel()
    svc, _ = make(tmp_path, k)
    for n in ("t1", "t2"):
        svc.create({"Name": n, "DriverOpts": {"type": "tmpfs", "device": "tmpfs"}})
        svc.mount(n, "c1")
    svc.unmount("t2", "c1")
    k.mounted.append(str(tmp_path / "data/volumes/t2/_data"))  # left by a crash
    orphan = tmp_path / "data/volumes/orphan/_data"
    orphan.mkdir(parents=True)  # a create that died before its row was written
    svc.close()
    svc, _ = make(tmp_path, k)
    assert k.mounted == [str(tmp_path / "data/volumes/t1/_data")]
    assert not orphan.parent.exists()
    assert svc.store.users("mounts", "t1") == ["c1"]
    svc.close()


def _names(svc: VolumeService) -> list[Any]:
    return [v["Name"] for v in svc.list()["Volumes"]]
