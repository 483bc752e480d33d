"""specgen: create body + image config → OCI spec fragments, with docker's rules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from berth.containers import create as mk
from berth.containers import specgen
from berth.containers.defaults import HostPathVolumes
from berth.containers.specgen import process as proc
from berth.containers.specgen import security as sec
from berth.containers.specgen.users import resolve
from berth.errdefs import BerthError, InvalidArgument, NotImplementedYet

CID = "ab" * 32
IMAGE = {"Env": ["PATH=/usr/bin:/bin", "A=img"], "Cmd": ["sh"], "WorkingDir": "",
         "Labels": {"from": "image"}}


@pytest.fixture
def rootfs(tmp_path: Path) -> Path:
    root = tmp_path / "rootfs"
    (root / "etc").mkdir(parents=True)
    (root / "etc/passwd").write_text("root:x:0:0:root:/root:/bin/sh\n"
                                     "app:x:1000:1000:app:/home/app:/bin/sh\n")
    (root / "etc/group").write_text("root:x:0:\napp:x:1000:\nwheel:x:10:app\naudio:x:29:\n")
    return root


def record(body: dict[str, Any], image: dict[str, Any] | None = None) -> dict[str, Any]:
    hc = mk.host_config(body)
    cfg = mk.merge_config(body, image or IMAGE, CID)
    cfg["Image"] = "busybox"
    return mk.new_record(CID, "/t", "sha256:" + "0" * 64, cfg, hc, "/data/c", "overlay2")


def spec(body: dict[str, Any], rootfs: Path, image: dict[str, Any] | None = None
         ) -> dict[str, Any]:
    rec = record(body, image)
    specgen.validate(rec)
    return specgen.generate(rec, rootfs, {"/etc/hosts": "/data/c/hosts"})


def test_entrypoint_cmd_rules() -> None:
    img = {"Entrypoint": ["/ep"], "Cmd": ["a"]}
    assert proc.entrypoint_and_cmd({}, img) == (["/ep"], ["a"])
    assert proc.entrypoint_and_cmd({"Cmd": ["b"]}, img) == (["/ep"], ["b"])
    assert proc.entrypoint_and_cmd({"Entrypoint": ["/x"]}, img) == (["/x"], None)
    assert proc.entrypoint_and_cmd({"Entrypoint": [""]}, img) == (None, ["a"])
    assert proc.entrypoint_and_cmd({"Entrypoint": [""], "Cmd": ["ls"]}, img) == (None, ["ls"])
    with pytest.raises(InvalidArgument, match="No command specified"):
        proc.path_and_args(None, None)


def test_process_basics(rootfs: Path) -> None:
    s = spec({"Image": "busybox", "Cmd": ["echo", "hi"], "Env": ["A=user", "B=2"],
              "WorkingDir": "/work/dir", "Tty": True}, rootfs)
    p = s["process"]
    assert p["args"] == ["echo", "hi"]
    assert p["env"][:4] == ["PATH=/usr/bin:/bin", f"HOSTNAME={CID[:12]}", "TERM=xterm",
                            "A=user"]
    assert "B=2" in p["env"] and "HOME=/root" in p["env"]
    assert p["cwd"] == "/work/dir" and (rootfs / "work/dir").is_dir()
    assert p["terminal"] is True and p["user"] == {"uid": 0, "gid": 0, "additionalGids": [0]}
    assert s["hostname"] == CID[:12]
    assert s["linux"]["cgroupsPath"] == f"/berth/{CID}"
    assert s["root"] == {"path": str(rootfs), "readonly": False}


def test_workdir_symlink_stays_inside(rootfs: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (rootfs / "w").symlink_to(outside)
    spec({"Image": "busybox", "WorkingDir": "/w/sub"}, rootfs)
    assert not (outside / "sub").exists()


def test_users(rootfs: Path) -> None:
    u = resolve(rootfs, "app", ["audio", "4242"])
    # the primary gid first, as moby's spec (checked against dockerd 20.10: `id` in a
    # `-u 1000:1000` container prints groups=1000)
    assert (u.uid, u.gid, u.home, u.additional_gids) == (1000, 1000, "/home/app",
                                                         [1000, 10, 29, 4242])
    assert resolve(rootfs, "1234:wheel").__dict__ == {"uid": 1234, "gid": 10, "home": "/",
                                                      "additional_gids": [10]}
    with pytest.raises(BerthError, match="unable to find user nope: no matching entries"):
        resolve(rootfs, "nope")
    with pytest.raises(BerthError, match="unable to find group nope"):
        resolve(rootfs, "app:nope")
    s = spec({"Image": "busybox", "User": "app"}, rootfs)
    assert s["process"]["capabilities"]["effective"] == []
    assert "CAP_CHOWN" in s["process"]["capabilities"]["bounding"]


def test_passwd_symlink_out_of_rootfs_is_not_followed(rootfs: Path, tmp_path: Path) -> None:
    host = tmp_path / "hostpasswd"
    host.write_text("evil:x:7:7::/:/bin/sh\n")
    (rootfs / "etc/passwd").unlink()
    (rootfs / "etc/passwd").symlink_to(host)
    with pytest.raises(BerthError, match="unable to find user evil"):
        resolve(rootfs, "evil")


def test_capabilities() -> None:
    assert len(sec.capabilities(None, None, False)) == 14
    caps = sec.capabilities(["net_admin", "CAP_SYS_PTRACE"], ["chown"], False)
    assert "CAP_NET_ADMIN" in caps and "CAP_SYS_PTRACE" in caps and "CAP_CHOWN" not in caps
    assert sec.capabilities(None, ["ALL"], False) == []
    assert sec.capabilities(["KILL"], ["ALL"], False) == ["CAP_KILL"]
    all_but = sec.capabilities(["ALL"], ["MKNOD"], False)
    assert "CAP_SYS_ADMIN" in all_but and "CAP_MKNOD" not in all_but
    with pytest.raises(InvalidArgument, match='unknown capability: "CAP_FOO"'):
        sec.capabilities(["foo"], None, False)


def test_security_defaults_and_privileged(rootfs: Path) -> None:
    s = spec({"Image": "busybox"}, rootfs)
    lx = s["linux"]
    assert "/proc/kcore" in lx["maskedPaths"] and "/proc/sys" in lx["readonlyPaths"]
    assert lx["seccomp"]["defaultAction"] == "SCMP_ACT_ERRNO"
    assert lx["resources"]["devices"][0] == {"allow": False, "access": "rwm"}
    assert s["process"]["noNewPrivileges"] is False
    sysfs = next(m for m in s["mounts"] if m["destination"] == "/sys")
    assert "ro" in sysfs["options"]
    p = spec({"Image": "busybox", "HostConfig": {"Privileged": True}}, rootfs)
    assert p["linux"]["maskedPaths"] == [] and "seccomp" not in p["linux"]
    assert "CAP_SYS_ADMIN" in p["process"]["capabilities"]["effective"]
    assert p["linux"]["resources"]["devices"] == [{"allow": True, "access": "rwm"}]
    assert any(d["path"] == "/dev/null" for d in p["linux"]["devices"])


def test_security_opts(rootfs: Path) -> None:
    s = spec({"Image": "busybox", "HostConfig": {
        "SecurityOpt": ["no-new-privileges", "seccomp=unconfined"]}}, rootfs)
    assert s["process"]["noNewPrivileges"] is True and "seccomp" not in s["linux"]
    prof = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
        {"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"},
        {"names": ["reboot"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_BOOT"]}}]}
    s = spec({"Image": "busybox", "HostConfig": {
        "SecurityOpt": ["seccomp=" + json.dumps(prof)]}}, rootfs)
    assert s["linux"]["seccomp"]["syscalls"] == [{"names": ["mkdir"],
                                                  "action": "SCMP_ACT_ERRNO"}]
    with pytest.raises(InvalidArgument, match='invalid --security-opt 1: "bogus"'):
        spec({"Image": "busybox", "HostConfig": {"SecurityOpt": ["bogus"]}}, rootfs)
    with pytest.raises(InvalidArgument, match="Decoding seccomp profile failed"):
        spec({"Image": "busybox", "HostConfig": {"SecurityOpt": ["seccomp={"]}}, rootfs)


def _with_volumes(body: dict[str, Any], rootfs: Path) -> dict[str, Any]:
    """The spec with the user mounts ``HostPathVolumes`` (binds and tmpfs) makes."""
    rec = record(body)
    vols = HostPathVolumes()
    vols.check_create(rec)
    return specgen.generate(rec, rootfs, {"/etc/hosts": "/data/c/hosts"},
                            user_mounts=vols.mount(rec, rootfs))


def test_mounts(rootfs: Path, tmp_path: Path) -> None:
    s = _with_volumes({"Image": "busybox", "HostConfig": {
        "ShmSize": 128 << 20, "Tmpfs": {"/run": "size=1m,exec"},
        "Binds": [f"{tmp_path}/data:/data:ro"], "ReadonlyRootfs": True}}, rootfs)
    by = {m["destination"]: m for m in s["mounts"]}
    assert "size=131072k" in by["/dev/shm"]["options"]
    assert by["/run"]["options"] == ["nosuid", "nodev", "rprivate", "size=1m", "exec"]
    assert by["/data"] == {"destination": "/data", "type": "bind",
                           "source": f"{tmp_path}/data", "options": ["rbind", "rro", "rprivate"]}
    assert "ro" in by["/etc/hosts"]["options"] and s["root"]["readonly"] is True
    assert list(by)[:2] == ["/proc", "/dev"]
    over = _with_volumes({"Image": "busybox", "HostConfig": {"Tmpfs": {"/dev/shm": ""}}}, rootfs)
    assert [m["source"] for m in over["mounts"] if m["destination"] == "/dev/shm"] == ["tmpfs"]
    with pytest.raises(InvalidArgument, match="Duplicate mount point: /x"):
        _with_volumes({"Image": "busybox", "HostConfig": {"Binds": ["/a:/x"],
                                                          "Tmpfs": {"/x": ""}}}, rootfs)
    with pytest.raises(InvalidArgument, match="invalid volume specification"):
        _with_volumes({"Image": "busybox", "HostConfig": {"Binds": ["/a:rw"]}}, rootfs)
    with pytest.raises(NotImplementedYet):
        _with_volumes({"Image": "busybox", "HostConfig": {"Binds": ["vol:/x"]}}, rootfs)


def test_namespaces(rootfs: Path) -> None:
    types = [n["type"] for n in spec({"Image": "busybox"}, rootfs)["linux"]["namespaces"]]
    assert set(types) == {"mount", "pid", "ipc", "uts", "cgroup", "network"}
    host = spec({"Image": "busybox", "HostConfig": {"NetworkMode": "host"}}, rootfs)
    assert "network" not in [n["type"] for n in host["linux"]["namespaces"]]
    # unknown networks are the Networks collaborator's to reject (netglue/defaults)
    from berth.containers.defaults import LoopbackNetworks

    with pytest.raises(InvalidArgument, match="network nope not found"):
        LoopbackNetworks().check_create(record({"Image": "busybox",
                                                "HostConfig": {"NetworkMode": "nope"}}))


def test_resources(rootfs: Path) -> None:
    s = spec({"Image": "busybox", "HostConfig": {
        "Memory": 64 << 20, "MemoryReservation": 32 << 20, "MemorySwappiness": 10,
        "OomKillDisable": True, "CpuShares": 512, "NanoCpus": 500_000_000,
        "CpusetCpus": "0", "CpusetMems": "0", "PidsLimit": 100, "BlkioWeight": 300,
        "Ulimits": [{"Name": "nofile", "Soft": 100, "Hard": 200}], "OomScoreAdj": 500,
        "Sysctls": {"net.ipv4.ip_forward": "1"}}}, rootfs)
    r = s["linux"]["resources"]
    assert r["memory"] == {"limit": 64 << 20, "reservation": 32 << 20, "swap": 128 << 20,
                           "swappiness": 10, "disableOOMKiller": True}
    assert r["cpu"] == {"shares": 512, "period": 100000, "quota": 50000, "cpus": "0",
                        "mems": "0"}
    assert r["pids"] == {"limit": 100} and r["blockIO"] == {"weight": 300}
    assert s["process"]["rlimits"] == [{"type": "RLIMIT_NOFILE", "soft": 100, "hard": 200}]
    assert s["process"]["oomScoreAdj"] == 500
    assert s["linux"]["sysctl"] == {"net.ipv4.ip_forward": "1"}


@pytest.mark.parametrize(("hc", "msg"), [
    ({"Memory": 1024}, "Minimum memory limit allowed is 6MB"),
    ({"Memory": 64 << 20, "MemorySwap": 1 << 20}, "Minimum memoryswap limit"),
    ({"NanoCpus": 1, "CpuQuota": 5}, "Conflicting options: Nano CPUs"),
    ({"OomScoreAdj": 5000}, "range for oom score adj"),
    ({"RestartPolicy": {"Name": "always", "MaximumRetryCount": 3}}, "only be used with"),
    ({"RestartPolicy": {"Name": "sometimes"}}, "unknown policy"),
    ({"AutoRemove": True, "RestartPolicy": {"Name": "always"}}, "AutoRemove"),
    ({"LogConfig": {"Type": "syslogx"}}, "no log driver named 'syslogx'"),
])
def test_hostconfig_errors(hc: dict[str, Any], msg: str) -> None:
    with pytest.raises(InvalidArgument, match=msg):
        mk.host_config({"HostConfig": hc})


def test_sysctl_and_device_errors(rootfs: Path) -> None:
    with pytest.raises(InvalidArgument, match=r"sysctl 'kernel\.panic' is not allowed"):
        spec({"Image": "busybox", "HostConfig": {"Sysctls": {"kernel.panic": "1"}}}, rootfs)
    with pytest.raises(InvalidArgument, match="not allowed in host network namespace"):
        spec({"Image": "busybox", "HostConfig": {"NetworkMode": "host",
                                                 "Sysctls": {"net.core.somaxconn": "1"}}},
             rootfs)
    with pytest.raises(InvalidArgument, match='custom device "/dev/nope"'):
        spec({"Image": "busybox", "HostConfig": {"Devices": [
            {"PathOnHost": "/dev/nope", "PathInContainer": "/dev/nope",
             "CgroupPermissions": "rwm"}]}}, rootfs)
    s = spec({"Image": "busybox", "HostConfig": {"Devices": [
        {"PathOnHost": "/dev/null", "PathInContainer": "/dev/mynull",
         "CgroupPermissions": "r"}]}}, rootfs)
    assert s["linux"]["devices"][0]["path"] == "/dev/mynull"
    assert {"allow": True, "type": "c", "major": 1, "minor": 3, "access": "r"} in \
        s["linux"]["resources"]["devices"]


def test_init_uses_tini(rootfs: Path) -> None:
    if not Path(specgen.TINI).exists():
        pytest.skip("tini not installed")
    s = spec({"Image": "busybox", "Cmd": ["true"], "HostConfig": {"Init": True}}, rootfs)
    assert s["process"]["args"] == ["/sbin/docker-init", "--", "true"]
    assert any(m["destination"] == "/sbin/docker-init" and m["source"] == specgen.TINI
               for m in s["mounts"])


def test_merge_config() -> None:
    rec = record({"Image": "busybox", "Env": ["A=user"], "Labels": {"x": "1"}})
    cfg = rec["Config"]
    assert cfg["Env"] == ["PATH=/usr/bin:/bin", "A=user"]
    assert cfg["Labels"] == {"from": "image", "x": "1"}
    assert cfg["Cmd"] == ["sh"] and cfg["Hostname"] == CID[:12]
    assert rec["Path"] == "sh" and rec["Args"] == []
    assert rec["HostConfig"]["NetworkMode"] == "bridge"
    assert rec["HostConfig"]["ShmSize"] == 64 << 20
