"""linux.namespaces: new ones, joining by path, user namespace maps, idmapped mounts."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from tests.privileged.runtime.conftest import Runtime

pytestmark = pytest.mark.root


def test_pid_namespace_init_is_pid_1(rt: Runtime) -> None:
    out = rt.run(["sh", "-c", "echo $$; ls /proc | grep -c '^[0-9]'"]).stdout.split()
    assert out[0] == "1"
    assert int(out[1]) <= 3


def test_namespaces_differ_from_host(rt: Runtime) -> None:
    out = rt.run(["sh", "-c", "for n in net ipc uts mnt pid; do readlink /proc/1/ns/$n; done"])
    for line, name in zip(out.stdout.split(), ["net", "ipc", "uts", "mnt", "pid"], strict=True):
        assert line != os.readlink(f"/proc/self/ns/{name}")


@pytest.fixture
def netns() -> Iterator[str]:
    name = f"bt{uuid.uuid4().hex[:8]}"
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        yield f"/run/netns/{name}"
    finally:
        subprocess.run(["ip", "netns", "del", name], check=True)


def test_join_network_namespace_by_path(rt: Runtime, netns: str) -> None:
    def edit(cfg: dict[str, Any]) -> None:
        for ns in cfg["linux"]["namespaces"]:
            if ns["type"] == "network":
                ns["path"] = netns
    b = rt.edit(rt.bundle(["readlink", "/proc/self/ns/net"]), edit)
    inode = os.stat(netns).st_ino
    assert rt.run([], bundle=b).stdout.strip() == f"net:[{inode}]"


def test_bad_namespace_path_is_a_clear_error(rt: Runtime) -> None:
    def edit(cfg: dict[str, Any]) -> None:
        cfg["linux"]["namespaces"][1]["path"] = "/nonexistent/ns"
    res = rt.run([], bundle=rt.edit(rt.bundle(["true"]), edit), check=False)
    assert res.returncode == 1 and "/nonexistent/ns" in res.stderr


def _userns(cfg: dict[str, Any]) -> None:
    cfg["linux"]["namespaces"].append({"type": "user"})
    cfg["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    cfg["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    cfg["mounts"] = [m for m in cfg["mounts"] if m["type"] != "devpts"] + [
        {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
         "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]}]
    cfg["linux"].pop("resources", None)


def test_user_namespace_mapping(rt: Runtime) -> None:
    script = "cat /proc/self/uid_map /proc/self/gid_map; id -u; stat -c %t,%T /dev/null"
    b = rt.edit(rt.bundle(["sh", "-c", script], reachable=True), _userns)
    out = rt.run([], bundle=b).stdout.split("\n")
    assert out[0].split() == ["0", "100000", "65536"]
    assert out[1].split() == ["0", "100000", "65536"]
    assert out[2] == "0"
    assert out[3] == "1,3"      # bound from the host: no mknod in a user namespace


def test_idmapped_bind_mount(rt: Runtime) -> None:
    src = rt.tmp / "owned"
    src.mkdir()
    (src / "f").write_text("x")
    os.chown(src / "f", 100005, 100005)

    def edit(cfg: dict[str, Any]) -> None:
        _userns(cfg)
        cfg["mounts"].append({"destination": "/home", "type": "bind", "source": str(src),
                              "options": ["bind", "idmap"],
                              "uidMappings": [{"containerID": 0, "hostID": 100000,
                                               "size": 65536}],
                              "gidMappings": [{"containerID": 0, "hostID": 100000,
                                               "size": 65536}]})
    b = rt.edit(rt.bundle(["stat", "-c", "%u:%g", "/home/f"], reachable=True), edit)
    res = rt.run([], bundle=b, check=False)
    assert res.returncode == 0, res.stderr
    # idmapped through the mount's own maps, then seen through the container's userns
    assert res.stdout.strip() in ("5:5", "65534:65534")
