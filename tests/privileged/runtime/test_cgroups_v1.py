"""cgroup v1/hybrid manager against this host's real cgroupfs (root only).

Each test gets its own cgroup and a fixture that kills whatever processes the test started
inside it, thaws and removes it, even when the test fails.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from berth.errdefs import FailedPrecondition, InvalidArgument
from berth.runtime.cgroups import V1Manager, from_paths, open_manager
from berth.runtime.cgroups.detect import detect

pytestmark = pytest.mark.root
ROOT = Path("/sys/fs/cgroup")


def _host_mode() -> str:
    try:
        return detect(ROOT, Path("/proc")).mode
    except Exception:
        return "none"


if _host_mode() not in ("v1", "hybrid"):
    pytest.skip("host has no cgroup v1 hierarchies", allow_module_level=True)


def _wait(cond: Callable[[], bool], timeout: float = 10.0, what: str = "condition") -> None:
    deadline, delay = time.monotonic() + timeout, 0.001
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(delay)
        delay = min(delay * 2, 0.05)


def _cleanup(m: V1Manager) -> None:
    if not m.exists():
        return
    if m.frozen():
        m.thaw()
    for pid in m.pids():
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    m.destroy(timeout=10)


@pytest.fixture
def mgr() -> Iterator[V1Manager]:
    m = open_manager(f"/berth-test-{uuid.uuid4().hex[:10]}", "ctr")
    assert isinstance(m, V1Manager)
    m.create()
    try:
        yield m
    finally:
        _cleanup(m)


def _gated(m: V1Manager, script: str, *argv: str) -> subprocess.Popen[bytes]:
    """Start ``script`` blocked on stdin, move it into the cgroup, then let it run."""
    cmd = list(argv) or ["busybox", "sh", "-c", f"read go; {script}"]
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    m.apply(p.pid)
    assert p.stdin is not None
    p.stdin.write(b"go\n")
    p.stdin.flush()
    return p


def test_create_apply_set_reads_back(mgr: V1Manager) -> None:
    p = subprocess.Popen(["sleep", "60"])
    try:
        mgr.apply(p.pid)
        mgr.set({"memory": {"limit": 64 << 20, "swap": 96 << 20, "reservation": 32 << 20,
                            "swappiness": 10},
                 "cpu": {"shares": 512, "quota": 50000, "period": 100000, "cpus": "0"},
                 "pids": {"limit": 42}})
        mem, cpu = Path(mgr.dirs["memory"]), Path(mgr.dirs["cpu"])
        assert (mem / "memory.limit_in_bytes").read_text().strip() == str(64 << 20)
        assert (mem / "memory.memsw.limit_in_bytes").read_text().strip() == str(96 << 20)
        assert (mem / "memory.soft_limit_in_bytes").read_text().strip() == str(32 << 20)
        assert (mem / "memory.swappiness").read_text().strip() == "10"
        assert (cpu / "cpu.shares").read_text().strip() == "512"
        assert (cpu / "cpu.cfs_quota_us").read_text().strip() == "50000"
        assert (Path(mgr.dirs["cpuset"]) / "cpuset.cpus").read_text().strip() == "0"
        assert (Path(mgr.dirs["pids"]) / "pids.max").read_text().strip() == "42"
        assert p.pid in mgr.pids()
        assert f":/{Path(mgr.dirs['memory']).name}" in Path(f"/proc/{p.pid}/cgroup").read_text()
        # raising the limit above the current memsw needs memsw written first
        mgr.set({"memory": {"limit": 256 << 20, "swap": 512 << 20}})
        assert (mem / "memory.limit_in_bytes").read_text().strip() == str(256 << 20)
    finally:
        p.kill()
        p.wait()


def test_bad_values_name_the_field(mgr: V1Manager) -> None:
    with pytest.raises(InvalidArgument, match=r"memory\.swappiness"):
        mgr.set({"memory": {"swappiness": 300}})
    with pytest.raises(InvalidArgument, match="swap"):
        mgr.set({"memory": {"limit": 64 << 20, "swap": 32 << 20}})
    with pytest.raises(InvalidArgument, match="cpus"):
        mgr.set({"cpu": {"cpus": "99-100"}})
    if "net_cls" not in mgr.dirs:
        with pytest.raises(FailedPrecondition, match=r"net_cls.*not mounted"):
            mgr.set({"network": {"classID": 0x100001}})


def test_pids_limit_makes_fork_fail(mgr: V1Manager) -> None:
    mgr.set({"pids": {"limit": 3}})
    p = _gated(mgr, "for i in 1 2 3 4 5 6; do sleep 30 & done; wait")
    events = Path(mgr.dirs["pids"]) / "pids.events"
    _wait(lambda: int(events.read_text().split()[1]) > 0, what="pids.events max > 0")
    assert mgr.stats()["pids"] == {"current": 3, "limit": 3}
    for pid in mgr.pids():
        os.kill(pid, signal.SIGKILL)
    _, err = p.communicate(timeout=10)
    assert b"fork" in err, err


def test_memory_limit_oom_kills_and_is_counted(mgr: V1Manager) -> None:
    mgr.set({"memory": {"limit": 32 << 20, "swap": 32 << 20}})
    watcher = mgr.oom_watcher()
    try:
        assert mgr.oom_kill_count() == 0
        p = _gated(mgr, "", sys.executable, "-c",
                   "import sys; sys.stdin.readline(); b = bytearray(200 << 20); b[::4096] = "
                   "b'x' * len(b[::4096])")
        assert p.wait(timeout=30) == -signal.SIGKILL
        assert watcher.wait(10)
        _wait(lambda: mgr.oom_kill_count() >= 1, what="oom_kill counter")
        assert watcher.kills() == mgr.oom_kill_count()
    finally:
        watcher.close()


def test_freeze_and_thaw(mgr: V1Manager) -> None:
    p = _gated(mgr, "while true; do echo tick; done")
    assert p.stdout is not None
    p.stdout.readline()
    mgr.freeze()
    assert mgr.frozen()
    assert (Path(mgr.dirs["freezer"]) / "freezer.state").read_text().strip() == "FROZEN"
    mgr.thaw()
    assert not mgr.frozen()
    assert p.stdout.readline() == b"tick\n"
    p.kill()
    p.wait()


def test_stats_shape_and_values(mgr: V1Manager) -> None:
    mgr.set({"memory": {"limit": 128 << 20}, "pids": {"limit": 50}})
    p = _gated(mgr, "i=0; while [ $i -lt 30000 ]; do i=$((i+1)); done; sleep 60 & wait")
    _wait(lambda: mgr.stats()["pids"]["current"] == 2, what="shell and sleep in the cgroup")
    s = mgr.stats()
    assert s["cpu"]["usage"]["total"] > 0
    assert len(s["cpu"]["usage"]["percpu"]) == os.cpu_count()
    assert s["memory"]["usage"]["limit"] == 128 << 20
    assert s["memory"]["usage"]["usage"] > 0
    assert "total_rss" in s["memory"]["raw"]
    assert s["pids"] == {"current": 2, "limit": 50}
    assert set(s) >= {"cpu", "memory", "pids", "blkio", "hugetlb"}
    p.kill()
    p.wait()


def test_destroy_refuses_while_busy_then_removes_everything(mgr: V1Manager) -> None:
    p = subprocess.Popen(["sleep", "60"])
    mgr.apply(p.pid)
    with pytest.raises(FailedPrecondition, match=str(p.pid)):
        mgr.destroy(timeout=0.1)
    p.kill()
    p.wait()
    mgr.destroy()
    assert not mgr.exists()
    assert all(not Path(d).exists() for d in mgr.paths().values())


def test_relative_path_nests_under_own_cgroup_and_reopens() -> None:
    m = open_manager(f"berth-rel-{uuid.uuid4().hex[:8]}", "ctr")
    assert isinstance(m, V1Manager)
    try:
        m.create()
        own = Path("/proc/self/cgroup").read_text()
        mem_own = next(line.split(":", 2)[2] for line in own.splitlines()
                       if line.split(":")[1] == "memory")
        assert str(m.dirs["memory"]).startswith(f"/sys/fs/cgroup/memory{mem_own.rstrip('/')}/")
        again = from_paths(m.paths())
        assert again.paths() == m.paths() and again.exists()
    finally:
        _cleanup(m)
    assert not m.exists()


def test_hybrid_hugetlb_goes_to_unified(mgr: V1Manager) -> None:
    if mgr.unified is None or "hugetlb" in mgr.dirs:
        pytest.skip("hugetlb is not on the cgroup2 mount here")
    if "hugetlb" not in (Path(mgr.unified) / "cgroup.controllers").read_text().split():
        pytest.skip("hugetlb not enabled on the cgroup2 mount")
    mgr.set({"hugepageLimits": [{"pageSize": "2MB", "limit": 4 << 20}]})
    assert (Path(mgr.unified) / "hugetlb.2MB.max").read_text().strip() == str(4 << 20)
    assert "2MB" in mgr.stats()["hugetlb"]
