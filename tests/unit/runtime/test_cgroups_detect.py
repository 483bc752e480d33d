"""Host layout detection from mountinfo text, path placement, and the v1 writer on a fake tree."""

from __future__ import annotations

from pathlib import Path

import pytest

from berth.errdefs import FailedPrecondition, InvalidArgument
from berth.runtime.cgroups import V1Manager, open_manager
from berth.runtime.cgroups.detect import Layout, Mount, parse_mountinfo, place

HYBRID = """\
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
90 80 0:50 / /other/cg rw - cgroup cgroup rw,pids
"""
V2 = "29 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n"


def test_hybrid_layout_and_co_mounted_controllers() -> None:
    layout = parse_mountinfo(HYBRID, Path("/sys/fs/cgroup"))
    assert layout.mode == "hybrid"
    assert layout.v1["cpu"] == layout.v1["cpuacct"] == Mount(Path("/sys/fs/cgroup/cpu,cpuacct"))
    assert set(layout.v1) == {"cpu", "cpuacct", "memory", "name=systemd"}  # /other ignored
    assert layout.unified == Mount(Path("/sys/fs/cgroup/unified"))


def test_v1_only_v2_and_nothing() -> None:
    v1_text = "\n".join(line for line in HYBRID.splitlines() if "cgroup2" not in line)
    assert parse_mountinfo(v1_text, Path("/sys/fs/cgroup")).mode == "v1"
    v2 = parse_mountinfo(V2, Path("/sys/fs/cgroup"))
    assert v2 == Layout("v2", {}, Mount(Path("/sys/fs/cgroup")))
    with pytest.raises(FailedPrecondition, match="no cgroup or cgroup2 filesystem"):
        parse_mountinfo(V2, Path("/elsewhere"))


def test_place_strips_the_mount_root_of_a_namespaced_mount() -> None:
    m = Mount(Path("/sys/fs/cgroup/memory"), "/docker/abc")
    assert place(m, "/docker/abc/x", None) == Path("/sys/fs/cgroup/memory/x")
    assert place(Mount(Path("/cg")), "rel/x", "/own") == Path("/cg/own/rel/x")


def _v1_tree(tmp_path: Path) -> Layout:
    v1 = {}
    for ctrl, files in {"memory": ["memory.limit_in_bytes", "memory.memsw.limit_in_bytes",
                                   "memory.kmem.tcp.limit_in_bytes"],
                        "cpu": ["cpu.shares", "cpu.cfs_quota_us", "cpu.cfs_period_us"],
                        "devices": ["devices.allow", "devices.deny"]}.items():
        d = tmp_path / ctrl / "c1"
        d.mkdir(parents=True)
        for f in [*files, "cgroup.procs"]:
            (d / f).write_text("9223372036854771712\n" if "limit" in f else "")
        v1[ctrl] = Mount(tmp_path / ctrl)
    return Layout("v1", v1, None)


def test_v1_writes_on_fake_tree(tmp_path: Path) -> None:
    m = open_manager("/c1", "c1", layout=_v1_tree(tmp_path))
    assert isinstance(m, V1Manager)
    m.set({"memory": {"limit": 1 << 20, "swap": 2 << 20, "kernel": 5, "kernelTCP": 4096},
           "cpu": {"shares": 256, "quota": 20000, "period": 50000},
           "devices": [{"allow": False, "access": "rwm"},
                       {"allow": True, "type": "c", "major": 1, "minor": 3, "access": "rw"}]})
    mem = tmp_path / "memory" / "c1"
    assert (mem / "memory.limit_in_bytes").read_text() == str(1 << 20)
    assert (mem / "memory.memsw.limit_in_bytes").read_text() == str(2 << 20)
    assert (mem / "memory.kmem.tcp.limit_in_bytes").read_text() == "4096"
    assert (tmp_path / "cpu" / "c1" / "cpu.cfs_period_us").read_text() == "50000"
    assert (tmp_path / "devices" / "c1" / "devices.deny").read_text() == "a"
    assert (tmp_path / "devices" / "c1" / "devices.allow").read_text() == "c 1:3 rw"


@pytest.mark.parametrize(("resources", "exc", "match"), [
    ({"unified": {"memory.high": "1"}}, InvalidArgument, "needs cgroup v2"),
    ({"pids": {"limit": 5}}, FailedPrecondition, "pids cgroup v1 controller is not mounted"),
    ({"devices": [{"allow": True, "type": "x"}]}, InvalidArgument, r"devices\[0\]\.type"),
    ({"devices": [{"allow": True, "type": "c", "access": "rwx"}]}, InvalidArgument, "access"),
    ({"memory": {"swappiness": 101}}, InvalidArgument, "swappiness"),
])
def test_v1_errors(tmp_path: Path, resources: dict, exc: type, match: str) -> None:
    m = open_manager("/c1", "c1", layout=_v1_tree(tmp_path))
    with pytest.raises(exc, match=match):
        m.set(resources)
