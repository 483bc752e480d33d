"""The stats projection: runc-shaped cgroup stats → docker's StatsResponse."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from berth.containers import statsjson as sj
from berth.runtime.cgroups.manager import empty_stats

GIB = 1 << 30


def raw() -> dict[str, Any]:
    s = empty_stats()
    s["cpu"]["usage"] = {"total": 5_000, "percpu": [3_000, 2_000], "kernel": 1_000,
                         "user": 4_000}
    s["cpu"]["throttling"] = {"periods": 3, "throttled_periods": 1, "throttled_time": 9}
    s["memory"]["usage"] = {"usage": 4096, "max": 8192, "limit": (1 << 63) - 4096,
                            "failcnt": 0}
    s["memory"]["raw"] = {"total_inactive_file": 1024, "cache": 2048}
    s["pids"] = {"current": 2, "limit": (1 << 64) - 1}
    s["blkio"]["ioServiceBytesRecursive"] = [
        {"major": 8, "minor": 0, "op": "Read", "value": 512}]
    return s


def test_project_fields() -> None:
    out = sj.project(raw(), name="/c", cid="abc", read="2024-01-01T00:00:00Z",
                     system_ns=10**12, online=2, machine_memory=4 * GIB, networks=None)
    assert out["cpu_stats"]["cpu_usage"] == {"total_usage": 5_000, "percpu_usage": [3_000, 2_000],
                                             "usage_in_kernelmode": 1_000,
                                             "usage_in_usermode": 4_000}
    assert out["cpu_stats"]["system_cpu_usage"] == 10**12
    assert out["cpu_stats"]["online_cpus"] == 2
    assert out["cpu_stats"]["throttling_data"]["throttled_periods"] == 1
    assert out["memory_stats"] == {"usage": 4096, "max_usage": 8192, "limit": 4 * GIB,
                                   "stats": {"total_inactive_file": 1024, "cache": 2048}}
    assert out["pids_stats"] == {"current": 2}  # "max" is no limit
    assert out["blkio_stats"]["io_service_bytes_recursive"] == [
        {"major": 8, "minor": 0, "op": "Read", "value": 512}]
    assert out["blkio_stats"]["io_queue_recursive"] is None
    assert out["preread"] == sj.ZERO_TIME and out["precpu_stats"] == sj.empty_cpu()
    assert "networks" not in out and out["name"] == "/c" and out["id"] == "abc"


def test_project_pre_and_limits() -> None:
    r = raw()
    r["memory"]["usage"]["limit"] = 64 << 20
    r["pids"]["limit"] = 10
    first = sj.project(r, name="/c", cid="a", read="t1", system_ns=1, online=1,
                       machine_memory=GIB, networks={})
    second = sj.project(r, name="/c", cid="a", read="t2", system_ns=2, online=1,
                        machine_memory=GIB, networks={}, pre=first)
    assert second["preread"] == "t1" and second["precpu_stats"] == first["cpu_stats"]
    assert second["memory_stats"]["limit"] == 64 << 20
    assert second["pids_stats"] == {"current": 2, "limit": 10}
    assert second["networks"] == {}


def test_empty_for_stopped() -> None:
    out = sj.empty("/c", "a")
    assert out["read"] == sj.ZERO_TIME and out["memory_stats"] == {}
    assert out["name"] == "/c" and out["id"] == "a"


def test_net_dev_skips_lo() -> None:
    text = ("Inter-|   Receive |  Transmit\n face |bytes packets errs drop fifo frame "
            "compressed multicast|bytes packets errs drop fifo colls carrier compressed\n"
            "    lo: 10 1 0 0 0 0 0 0 10 1 0 0 0 0 0 0\n"
            "  eth0: 100 2 3 4 0 0 0 0 200 5 6 7 0 0 0 0\n")
    assert sj.net_dev(text) == {"eth0": {
        "rx_bytes": 100, "rx_packets": 2, "rx_errors": 3, "rx_dropped": 4,
        "tx_bytes": 200, "tx_packets": 5, "tx_errors": 6, "tx_dropped": 7}}


def test_host_readers(tmp_path: Path) -> None:
    (tmp_path / "stat").write_text("cpu  1 2 3 4 5 6 7 8 9 10\ncpu0 1 1 1 1 1 1 1\n"
                                   "cpu1 1 1 1 1 1 1 1\nintr 5\n")
    (tmp_path / "meminfo").write_text("MemTotal:       2048 kB\nMemFree: 1 kB\n")
    assert sj.system_cpu_ns(tmp_path) == 28 * 10_000_000
    assert sj.online_cpus(tmp_path) == 2
    assert sj.machine_memory(tmp_path) == 2048 * 1024
