"""V2Manager against a fake cgroup2 tree in tmp_path: what gets written, the v1→v2
conversions, the errors for v1-only fields, freezing through cgroup.freeze + cgroup.events."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from berth.errdefs import FailedPrecondition, InvalidArgument, NotImplementedYet, Unavailable
from berth.runtime.cgroups import Layout, V2Manager, from_paths, open_manager
from berth.runtime.cgroups.v2_set import cpu_weight, io_weight, swap_max

CONTROLLERS = "cpuset cpu io memory hugetlb pids rdma"
FILES = ["cgroup.procs", "cgroup.freeze", "memory.max", "memory.low", "memory.swap.max",
         "memory.current", "cpu.weight", "cpu.max", "cpu.max.burst", "cpu.idle", "cpuset.cpus",
         "cpuset.mems", "pids.max", "io.weight", "io.max", "hugetlb.2MB.max", "rdma.max"]


def _cgdir(d: Path, controllers: str = CONTROLLERS, files: list[str] = FILES) -> None:
    """What the kernel puts in a fresh cgroup2 directory (the subset these tests use)."""
    d.mkdir(parents=True, exist_ok=True)
    (d / "cgroup.controllers").write_text(controllers + "\n")
    (d / "cgroup.subtree_control").write_text("")
    (d / "cgroup.events").write_text("populated 0\nfrozen 0\n")
    for f in files:
        (d / f).write_text("")


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "cgroup"
    for d in (root, root / "berth", root / "berth" / "c1"):
        _cgdir(d)
    return root


@pytest.fixture
def mgr(tree: Path) -> V2Manager:
    m = open_manager("/berth/c1", "c1", root=tree, layout=Layout.v2_at(tree))
    assert isinstance(m, V2Manager)
    m.create()
    return m


def _read(p: Path) -> str:
    return p.read_text().strip()


def test_create_enables_controllers_in_every_ancestor(tree: Path, mgr: V2Manager) -> None:
    want = "+cpuset +cpu +io +memory +hugetlb +pids +rdma"
    assert _read(tree / "cgroup.subtree_control") == want
    assert _read(tree / "berth" / "cgroup.subtree_control") == want
    assert _read(tree / "berth" / "c1" / "cgroup.subtree_control") == ""
    assert mgr.paths() == {"": str(tree / "berth" / "c1")}


def test_set_writes_converted_values(mgr: V2Manager) -> None:
    mgr.set({
        "memory": {"limit": 100 << 20, "swap": 300 << 20, "reservation": 50 << 20,
                   "kernel": 1 << 20},
        "cpu": {"shares": 1024, "quota": 50000, "period": 100000, "burst": 1000,
                "cpus": "0-1", "mems": "0", "idle": 0},
        "pids": {"limit": 64},
        "blockIO": {"weight": 500, "throttleReadBpsDevice": [{"major": 8, "minor": 0,
                                                              "rate": 1048576}]},
        "hugepageLimits": [{"pageSize": "2MB", "limit": 8 << 20}],
        "rdma": {"mlx5_0": {"hcaHandles": 3, "hcaObjects": 100}},
        "unified": {"memory.low": "12345"},
    })
    d = Path(mgr.path)
    assert _read(d / "memory.max") == str(100 << 20)
    assert _read(d / "memory.swap.max") == str(200 << 20)  # swap - limit
    assert _read(d / "memory.low") == "12345"  # unified wins over reservation
    assert _read(d / "cpu.weight") == "39"
    assert _read(d / "cpu.max") == "50000 100000"
    assert _read(d / "cpu.max.burst") == "1000"
    assert _read(d / "cpuset.cpus") == "0-1"
    assert _read(d / "pids.max") == "64"
    assert _read(d / "io.weight") == "4950"
    assert _read(d / "io.max") == "8:0 rbps=1048576"
    assert _read(d / "hugetlb.2MB.max") == str(8 << 20)
    assert _read(d / "rdma.max") == "mlx5_0 hca_handle=3 hca_object=100"


def test_unlimited_values(mgr: V2Manager) -> None:
    mgr.set({"memory": {"limit": -1, "swap": -1}, "cpu": {"quota": -1, "period": 100000},
             "pids": {"limit": -1}})
    assert _read(Path(mgr.path) / "memory.max") == "max"
    assert _read(Path(mgr.path) / "memory.swap.max") == "max"
    assert _read(Path(mgr.path) / "cpu.max") == "max 100000"
    assert _read(Path(mgr.path) / "pids.max") == "max"


def test_conversion_formulas() -> None:
    assert cpu_weight(2) == 1 and cpu_weight(262144) == 10000 and cpu_weight(1024) == 39
    assert io_weight(10, "w") == 1 and io_weight(1000, "w") == 10000
    assert swap_max(100, 100) == 0 and swap_max(100, -1) == "max" and swap_max(100, 0) is None


@pytest.mark.parametrize(("resources", "exc", "match"), [
    ({"memory": {"swappiness": 60}}, InvalidArgument, "memory.swappiness"),
    ({"memory": {"kernelTCP": 1 << 20}}, InvalidArgument, "memory.kernelTCP"),
    ({"memory": {"disableOOMKiller": True}}, InvalidArgument, "disableOOMKiller"),
    ({"memory": {"useHierarchy": False}}, InvalidArgument, "useHierarchy"),
    ({"memory": {"swap": 1 << 20}}, InvalidArgument, "needs a memory limit"),
    ({"memory": {"limit": 2 << 20, "swap": 1 << 20}}, InvalidArgument, "below memory limit"),
    ({"cpu": {"realtimeRuntime": 950000}}, InvalidArgument, "realtimeRuntime"),
    ({"cpu": {"shares": 1}}, InvalidArgument, "cpu.shares"),
    ({"blockIO": {"leafWeight": 300}}, InvalidArgument, "leafWeight"),
    ({"blockIO": {"weight": 5}}, InvalidArgument, "blockIO.weight"),
    ({"network": {"classID": 1}}, InvalidArgument, "network"),
    ({"hugepageLimits": [{"pageSize": "2M", "limit": 1}]}, InvalidArgument, "pageSize"),
    ({"unified": {"../escape": "1"}}, InvalidArgument, "unified"),
    ({"unified": {"misc.max": "1"}}, FailedPrecondition, "misc controller is not enabled"),
    ({"devices": [{"allow": True, "type": "b", "major": 8, "minor": 0, "access": "rw"}]},
     NotImplementedYet, r"devices\[0\].*eBPF"),
])
def test_v1_only_and_bad_fields_are_refused(mgr: V2Manager, resources: dict, exc: type,
                                            match: str) -> None:
    with pytest.raises(exc, match=match):
        mgr.set(resources)


def test_default_device_list_is_accepted_with_a_warning(mgr: V2Manager,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    rules = [{"allow": False, "access": "rwm"},
             {"allow": True, "type": "c", "major": 1, "minor": 3, "access": "rwm"},
             {"allow": True, "type": "c", "major": 136, "access": "rwm"},
             {"allow": True, "type": "b", "access": "m"}]
    mgr.set({"devices": rules})
    assert "not enforced" in caplog.text


def test_missing_controller_names_field_and_dir(tree: Path) -> None:
    d = tree / "berth" / "c2"
    _cgdir(d, controllers="cpu pids", files=["cgroup.procs", "cpu.weight", "pids.max"])
    m = open_manager("/berth/c2", "c2", root=tree, layout=Layout.v2_at(tree))
    with pytest.raises(FailedPrecondition, match=r"memory.limit: the memory controller is not "
                                                 r"enabled .*\(cgroup.controllers: cpu pids\)"):
        m.set({"memory": {"limit": 1 << 20}})


def test_freeze_waits_for_events(mgr: V2Manager) -> None:
    def kernel() -> None:  # what the kernel does a moment after cgroup.freeze = 1
        deadline = time.monotonic() + 5
        while _read(Path(mgr.path) / "cgroup.freeze") != "1" and time.monotonic() < deadline:
            time.sleep(0.001)
        (Path(mgr.path) / "cgroup.events").write_text("populated 1\nfrozen 1\n")

    t = threading.Thread(target=kernel)
    t.start()
    mgr.freeze(timeout=5)
    t.join()
    assert mgr.frozen()
    (Path(mgr.path) / "cgroup.events").write_text("populated 1\nfrozen 0\n")
    mgr.thaw()
    assert _read(Path(mgr.path) / "cgroup.freeze") == "0" and not mgr.frozen()


def test_freeze_timeout_rolls_back(mgr: V2Manager) -> None:
    with pytest.raises(Unavailable, match="not frozen"):
        mgr.freeze(timeout=0.05)
    assert _read(Path(mgr.path) / "cgroup.freeze") == "0"


def test_stats_and_oom_count(mgr: V2Manager) -> None:
    d = Path(mgr.path)
    (d / "cpu.stat").write_text("usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n"
                                "nr_periods 10\nnr_throttled 2\nthrottled_usec 30\n")
    (d / "memory.current").write_text("4096\n")
    (d / "memory.max").write_text("max\n")
    (d / "memory.stat").write_text("anon 1024\nfile 2048\n")
    (d / "memory.events").write_text("low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n")
    (d / "pids.current").write_text("2\n")
    (d / "pids.max").write_text("10\n")
    (d / "io.stat").write_text("8:0 rbytes=100 wbytes=200 rios=1 wios=2 dbytes=0 dios=0\n")
    (d / "hugetlb.2MB.current").write_text("0\n")
    s = mgr.stats()
    assert s["cpu"]["usage"] == {"total": 1500000, "percpu": [], "kernel": 500000,
                                 "user": 1000000}
    assert s["cpu"]["throttling"] == {"periods": 10, "throttled_periods": 2,
                                      "throttled_time": 30000}
    assert s["memory"]["usage"]["usage"] == 4096 and s["memory"]["usage"]["limit"] == 2**64 - 1
    assert s["memory"]["usage"]["failcnt"] == 3 and s["memory"]["cache"] == 2048
    assert s["pids"] == {"current": 2, "limit": 10}
    assert {"major": 8, "minor": 0, "op": "Write", "value": 200} in \
        s["blkio"]["ioServiceBytesRecursive"]
    assert s["hugetlb"]["2MB"]["usage"] == 0
    assert mgr.oom_kill_count() == 1


def test_open_manager_paths_and_errors(tree: Path, tmp_path: Path) -> None:
    proc = tmp_path / "proc"
    (proc / "self").mkdir(parents=True)
    (proc / "self" / "cgroup").write_text("0::/berth\n")
    m = open_manager("", "abc", root=tree, proc=proc, layout=Layout.v2_at(tree))
    assert m.paths() == {"": str(tree / "abc")}
    m = open_manager("c1", "x", root=tree, proc=proc, layout=Layout.v2_at(tree))
    assert m.paths() == {"": str(tree / "berth" / "c1")}
    assert isinstance(from_paths(m.paths(), tree), V2Manager)
    with pytest.raises(NotImplementedYet, match="systemd"):
        open_manager("", "abc", systemd=True, layout=Layout.v2_at(tree))
    with pytest.raises(InvalidArgument, match=r"'\.\.'"):
        open_manager("/berth/../../etc", "x", layout=Layout.v2_at(tree))
    with pytest.raises(InvalidArgument, match="systemd"):
        open_manager("system.slice:berth:x", "x", layout=Layout.v2_at(tree))
