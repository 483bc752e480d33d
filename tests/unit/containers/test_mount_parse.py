"""Mount requests (Binds, Mounts, Tmpfs, Config.Volumes, VolumesFrom) → MountPoints, OCI
mounts and inspect ``Mounts``, with moby's errors; ContainerVolumes on a fake service."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from berth.containers import filters
from berth.containers.defaults import HostPathVolumes
from berth.containers.mountparse import parse_volumes_from, valid_mode
from berth.containers.mountplan import plan
from berth.containers.mountspec import bind_mount, host_tmpfs, merge_tmpfs_options, tmpfs_data
from berth.containers.specgen import mounts as smounts
from berth.containers.volglue import ContainerVolumes
from berth.errdefs import Conflict, InvalidArgument, NotFound, NotImplementedYet

CID = "c" * 64


def binds(*raw: str, **hc: Any) -> dict[str, Any]:
    return plan({"Binds": list(raw), **hc}, {}, None)


@pytest.mark.parametrize("raw,want", [
    ("/tmp:/data:ro", {"Type": "bind", "Source": "/tmp", "Destination": "/data", "RW": False,
                       "Mode": "ro", "Propagation": "rprivate", "CopyData": False}),
    ("/tmp/:/data/", {"Type": "bind", "Source": "/tmp", "Destination": "/data", "RW": True,
                      "Mode": "", "Propagation": "rprivate"}),
    ("/h:/c:rshared,Z", {"Type": "bind", "Propagation": "rshared", "Mode": "rshared,Z"}),
    ("v1:/data", {"Type": "volume", "Name": "v1", "RW": True, "CopyData": True, "Mode": ""}),
    ("v1:/data:ro,nocopy", {"Type": "volume", "Name": "v1", "RW": False, "CopyData": False}),
    ("/anon", {"Type": "volume", "Name": "", "Destination": "/anon", "CopyData": True}),
])
def test_binds_parse(raw: str, want: dict[str, Any]) -> None:
    (mp,) = binds(raw).values()
    assert {k: mp[k] for k in want} == want


@pytest.mark.parametrize("raw,msg", [
    ("/x:rw", "invalid volume specification: '/x:rw'"),
    ("/a:/b:c:d", "invalid volume specification: '/a:/b:c:d'"),
    ("/a:/b:rw,ro", "invalid mode: rw,ro"),
    ("/a:/b:bogus", "invalid mode: bogus"),
    ("foo:bar", "invalid volume specification: 'foo:bar': invalid mount config for type "
                "\"volume\": invalid mount path: 'bar' mount path must be absolute"),
    ("/a:/", "destination can't be '/'"),
    ("/a:/b:nocopy", "invalid mount config for type \"bind\": field VolumeOptions must not "
                     "be specified"),
    ("v:/x:rshared", "invalid mount config for type \"volume\": field BindOptions must not "
                     "be specified"),
    ("a b:/x", "create a b: \"a b\" includes invalid characters for a local volume name, only "
               "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host "
               "directory, use absolute path"),
])
def test_binds_errors(raw: str, msg: str) -> None:
    with pytest.raises(InvalidArgument) as e:
        binds(raw)
    assert msg in str(e.value)


def test_modes_and_volumes_from() -> None:
    assert valid_mode("ro,z,rslave,nocopy") and not valid_mode("z,Z")
    assert parse_volumes_from("c1") == ("c1", "rw")
    assert parse_volumes_from("c1:ro") == ("c1", "ro")
    for bad, msg in (("", "cannot be an empty string"), ("c:nocopy", "invalid mode: nocopy"),
                     ("c:shared", "cannot use propagation properties")):
        with pytest.raises(InvalidArgument, match=msg):
            parse_volumes_from(bad)


def _mnt(**m: Any) -> dict[str, Any]:
    return plan({"Mounts": [m]}, {}, None)[m["Target"]]


def test_mounts_parse(tmp_path: Path) -> None:
    b = _mnt(Type="bind", Source=str(tmp_path), Target="/x", ReadOnly=True,
             BindOptions={"Propagation": "rslave", "ReadOnlyNonRecursive": True})
    assert (b["RW"], b["Propagation"], b["Mode"], b["SkipMountpointCreation"]) == \
        (False, "rslave", "", True)
    assert bind_mount("/x", b["Source"], b["RW"], b["Propagation"], b["Spec"])["options"] == \
        ["rbind", "ro", "rslave"]
    nr = _mnt(Type="bind", Source=str(tmp_path), Target="/y", BindOptions={
        "NonRecursive": True, "CreateMountpoint": True})
    assert bind_mount("/y", nr["Source"], False, "", nr["Spec"])["options"] == \
        ["bind", "rro", "rprivate"]
    assert nr["SkipMountpointCreation"] is False
    missing = _mnt(Type="bind", Source=str(tmp_path / "nope"), Target="/z",
                   BindOptions={"CreateMountpoint": True})
    assert missing["Source"] == str(tmp_path / "nope")
    v = _mnt(Type="volume", Source="v", Target="/v", VolumeOptions={
        "NoCopy": True, "Subpath": "a/b", "DriverConfig": {"Name": "foo"}})
    assert (v["Name"], v["Driver"], v["CopyData"]) == ("v", "foo", False)
    t = _mnt(Type="tmpfs", Target="/t", TmpfsOptions={"SizeBytes": 3 << 20, "Mode": 0o1770})
    assert tmpfs_data(t["Spec"]["TmpfsOptions"], False) == ["mode=1770", "size=3m"]
    assert tmpfs_data({"SizeBytes": 1536}, True) == ["ro", "size=1536"]


@pytest.mark.parametrize("m,msg", [
    ({"Type": "bind", "Source": "/does/not/exist", "Target": "/x"},
     "invalid mount config for type \"bind\": bind source path does not exist: /does/not/exist"),
    ({"Type": "bind", "Target": "/x"}, "field Source must not be empty"),
    ({"Type": "bind", "Source": "rel", "Target": "/x"},
     "invalid mount path: 'rel' mount path must be absolute"),
    ({"Type": "bind", "Source": "/", "Target": "/x", "BindOptions": {"Propagation": "up"}},
     "invalid propagation mode: up"),
    ({"Type": "bind", "Source": "/", "Target": "/x", "BindOptions": {
        "ReadOnlyNonRecursive": True}}, "must not set ReadOnlyNonRecursive when ReadOnly"),
    ({"Type": "bind", "Source": "/", "Target": "/x", "VolumeOptions": {}},
     "field VolumeOptions must not be specified"),
    ({"Type": "volume", "Target": "x"}, "invalid mount path: 'x' mount path must be absolute"),
    ({"Type": "volume", "Source": "v"}, "field Target must not be empty"),
    ({"Type": "volume", "Target": "/x", "ReadOnly": True},
     "must not set ReadOnly mode when using anonymous volumes"),
    ({"Type": "volume", "Target": "/x", "VolumeOptions": {"Subpath": "a"}},
     "must not set Subpath when using anonymous volumes"),
    ({"Type": "volume", "Source": "v", "Target": "/x", "VolumeOptions": {"Subpath": "../a"}},
     "subpath must be a relative path within the volume"),
    ({"Type": "volume", "Source": "/abs", "Target": "/x"}, "create /abs: \"/abs\" includes"),
    ({"Type": "tmpfs", "Source": "x", "Target": "/x"}, "field Source must not be specified"),
    ({"Type": "tmpfs", "Target": "/x", "TmpfsOptions": {"Options": [["bogus"]]}},
     "invalid tmpfs option [\"bogus\"]"),
    ({"Type": "npipe", "Target": "/x"}, "invalid mount config for type \"npipe\": mount type "
                                        "unknown"),
])
def test_mounts_errors(m: dict[str, Any], msg: str) -> None:
    with pytest.raises(InvalidArgument) as e:
        plan({"Mounts": [m]}, {}, None)
    assert msg in str(e.value)


def test_duplicates_and_tmpfs(tmp_path: Path) -> None:
    for hc in ({"Binds": ["/a:/x", "/b:/x/"]}, {"Binds": ["/a:/x"], "Tmpfs": {"/x": ""}},
               {"Binds": ["/a:/x"], "Mounts": [{"Type": "tmpfs", "Target": "/x"}]}):
        with pytest.raises(InvalidArgument, match="Duplicate mount point: /x"):
            plan(hc, {}, None)
    assert host_tmpfs({"/run": "size=1m,exec"}) == [{
        "destination": "/run", "type": "tmpfs", "source": "tmpfs",
        "options": ["nosuid", "nodev", "rprivate", "size=1m", "exec"]}]
    assert merge_tmpfs_options(["ro", "size=1", "rw", "size=2", "shared"]) == \
        ["rw", "size=2", "shared"]
    for bad, msg in (({"t": ""}, "invalid mount path: 't' mount path must be absolute"),
                     ({"/": ""}, "destination can't be '/'"),
                     ({"/t": "uid"}, "invalid tmpfs option [\"uid\"]")):
        with pytest.raises(InvalidArgument) as e:
            plan({"Tmpfs": bad}, {}, None)
        assert msg in str(e.value)


def test_config_volumes_and_volumes_from() -> None:
    other = {"MountPoints": plan({"Binds": ["/h:/data", "named:/n:ro"]}, {}, None)}
    hc = {"VolumesFrom": ["o:ro"], "Binds": ["/h2:/data"], "Tmpfs": {"/img": ""}}
    got = plan(hc, {"Volumes": {"/n": {}, "/img": {}, "/new/": {}}}, lambda ref: other)
    assert list(got) == ["/data", "/n", "/new"]
    assert got["/data"]["Source"] == "/h2"  # a user bind replaces the volumes-from one
    assert got["/n"]["RW"] is False and got["/n"]["_from"] and not got["/n"]["CopyData"]
    assert got["/new"]["_image"] and got["/new"]["Mode"] == ""


class FakeVolumes:
    """VolumeService's container-side contract, in memory."""

    def __init__(self, root: Path) -> None:
        self.root, self.vols, self.refs = root, {}, {}  # type: ignore[var-annotated]
        self.fail_on: str | None = None
        self.n = 0

    def inspect(self, name: str) -> dict[str, Any]:
        if name not in self.vols:
            raise NotFound(f"get {name}: no such volume")
        return self.vols[name]

    def get_or_create(self, name: str | None, driver: str, opts: dict[str, str],
                      labels: dict[str, str], anonymous: bool) -> dict[str, Any]:
        if name is not None and name == self.fail_on:
            raise InvalidArgument(f"create {name}: boom")
        if name is None:
            self.n += 1
            name = f"{self.n:064x}"
        path = self.root / name / "_data"
        path.mkdir(parents=True, exist_ok=True)
        return self.vols.setdefault(name, {"Name": name, "Driver": driver,
                                           "Mountpoint": str(path), "Anon": anonymous})

    def acquire(self, name: str, cid: str) -> None:
        self.refs.setdefault(name, set()).add(cid)

    def release(self, name: str, cid: str) -> None:
        self.refs.get(name, set()).discard(cid)

    def remove(self, name: str, force: bool = False) -> None:
        if self.refs.get(name):
            raise Conflict(f"remove {name}: volume is in use - {sorted(self.refs[name])}")
        self.vols.pop(name, None)

    def mount(self, name: str, cid: str, attrs: dict[str, str] | None = None) -> str:
        return str(self.inspect(name)["Mountpoint"])

    def unmount(self, name: str, cid: str) -> None:
        return None


def _rec(hc: dict[str, Any], volumes: dict[str, Any] | None = None,
         cid: str = CID) -> dict[str, Any]:
    return {"ID": cid, "HostConfig": hc, "Config": {"Volumes": volumes}}


def test_glue_creates_references_and_views(tmp_path: Path) -> None:
    fake = FakeVolumes(tmp_path)
    cv = ContainerVolumes(fake)
    rec = _rec({"Binds": ["named:/n", "/h:/b:ro"], "Mounts": [
        {"Type": "volume", "Source": "mv", "Target": "/m", "VolumeOptions": {
            "DriverConfig": {"Options": {"o": "x"}}}}]}, {"/anon": {}})
    cv.check_create(rec)
    anon = next(n for n in fake.vols if n not in ("named", "mv"))
    assert all(fake.refs[n] == {CID} for n in fake.vols)
    view = {m["Destination"]: m for m in cv.mounts_view(rec)}
    assert view["/n"] == {"Type": "volume", "Name": "named", "Source": fake.vols["named"][
        "Mountpoint"], "Destination": "/n", "Driver": "local", "Mode": "z", "RW": True,
        "Propagation": ""}
    assert view["/b"] == {"Type": "bind", "Source": "/h", "Destination": "/b", "Mode": "ro",
                          "RW": False, "Propagation": "rprivate"}
    assert view["/anon"]["Mode"] == "" and view["/anon"]["Name"] == anon
    assert not any(k.startswith("_") for m in rec["MountPoints"].values() for k in m)
    assert {"named", "/n", "/h", "/b", anon, "/anon", "mv"} <= filters.volume_keys(rec)
    # volumes-from takes its own reference; rm -v of either keeps what the other uses
    cv.lookup = lambda ref: rec
    rec2 = _rec({"VolumesFrom": ["x"]}, cid="d" * 64)
    cv.check_create(rec2)
    assert fake.refs["named"] == {CID, "d" * 64}
    cv.release(rec, remove_anonymous=True)
    assert anon in fake.vols  # still used by rec2
    cv.release(rec2, remove_anonymous=True)
    assert set(fake.vols) == {"named", "mv"}  # named stay; the anonymous one went


def test_glue_failure_leaves_nothing(tmp_path: Path) -> None:
    fake = FakeVolumes(tmp_path)
    fake.vols["old"] = {"Name": "old", "Driver": "local", "Mountpoint": str(tmp_path)}
    fake.fail_on = "bad"
    rec = _rec({"Binds": ["old:/o", "new:/n", "bad:/b"]}, {"/anon": {}})
    with pytest.raises(InvalidArgument, match="create bad: boom"):
        ContainerVolumes(fake).check_create(rec)
    assert set(fake.vols) == {"old"} and not any(fake.refs.values())
    assert "MountPoints" not in rec


def test_hostpath_volumes_without_service(tmp_path: Path) -> None:
    hp = HostPathVolumes()
    rec = _rec({"Binds": [f"{tmp_path}/new:/d"], "Tmpfs": {"/t": "size=1m"}}, {"/img": {}})
    hp.check_create(rec)
    got = hp.mount(rec, tmp_path)
    assert [m["destination"] for m in got] == ["/d", "/t"] and (tmp_path / "new").is_dir()
    with pytest.raises(NotImplementedYet):
        hp.check_create(_rec({"Binds": ["vol:/x"]}))
    users = [{"destination": "/dev/shm", "type": "tmpfs", "source": "tmpfs", "options": []}]
    shm = [m for m in smounts.assemble({}, {}, None, users) if m["destination"] == "/dev/shm"]
    assert shm == users
