"""cgroup v1 files → runc's ``events --stats`` shape (see ``manager.empty_stats``)."""

from __future__ import annotations

import os

from berth.runtime.cgroups import _fs
from berth.runtime.cgroups._path import CgPath
from berth.runtime.cgroups.manager import empty_stats, memory_entry

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

USER_HZ = 100  # cpuacct.stat counts in USER_HZ ticks (fixed at 100 on Linux)


def collect(dirs: dict[str, CgPath]) -> dict[str, Any]:
    """Read every mounted controller's counters; missing controllers leave zeros."""
    s = empty_stats()
    if "cpuacct" in dirs:
        _cpuacct(dirs["cpuacct"], s["cpu"]["usage"])
    if "cpu" in dirs:
        t = _fs.read_keyed(dirs["cpu"] / "cpu.stat")
        s["cpu"]["throttling"] = {"periods": t.get("nr_periods", 0),
                                  "throttled_periods": t.get("nr_throttled", 0),
                                  "throttled_time": t.get("throttled_time", 0)}
    if "memory" in dirs:
        _memory(dirs["memory"], s["memory"])
    if "pids" in dirs:
        s["pids"] = {"current": _fs.read_int(dirs["pids"] / "pids.current"),
                     "limit": _fs.read_int(dirs["pids"] / "pids.max")}
    if "blkio" in dirs:
        b = dirs["blkio"]
        s["blkio"] = {
            "ioServiceBytesRecursive": blkio_entries(
                b / "blkio.throttle.io_service_bytes_recursive"),
            "ioServicedRecursive": blkio_entries(b / "blkio.throttle.io_serviced_recursive")}
    if "hugetlb" in dirs:
        s["hugetlb"] = _hugetlb(dirs["hugetlb"])
    return s


def _cpuacct(d: CgPath, usage: dict[str, Any]) -> None:
    usage["total"] = _fs.read_int(d / "cpuacct.usage")
    try:
        usage["percpu"] = [int(x) for x in _fs.read(d / "cpuacct.usage_percpu").split()]
    except FileNotFoundError:
        pass
    ticks = _fs.read_keyed(d / "cpuacct.stat")
    ns = 1_000_000_000 // USER_HZ
    usage["user"], usage["kernel"] = ticks.get("user", 0) * ns, ticks.get("system", 0) * ns


def _entry(d: CgPath, prefix: str) -> dict[str, int]:
    return memory_entry(_fs.read_int(d / f"{prefix}.usage_in_bytes"),
                        _fs.read_int(d / f"{prefix}.max_usage_in_bytes"),
                        _fs.read_int(d / f"{prefix}.limit_in_bytes"),
                        _fs.read_int(d / f"{prefix}.failcnt"))


def _memory(d: CgPath, m: dict[str, Any]) -> None:
    raw = _fs.read_keyed(d / "memory.stat")
    m["raw"] = raw
    m["cache"] = raw.get("total_cache", raw.get("cache", 0))
    m["usage"] = _entry(d, "memory")
    m["swap"] = _entry(d, "memory.memsw")
    m["kernel"] = _entry(d, "memory.kmem")
    m["kernelTCP"] = _entry(d, "memory.kmem.tcp")


def blkio_entries(path: CgPath) -> list[dict[str, Any]]:
    """``8:0 Read 4096`` lines → [{major, minor, op, value}] (``Total`` lines dropped)."""
    out: list[dict[str, Any]] = []
    try:
        text = _fs.read(path)
    except FileNotFoundError:
        return out
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 3 and ":" in parts[0]:
            major, minor = parts[0].split(":")
            out.append({"major": int(major), "minor": int(minor), "op": parts[1],
                        "value": int(parts[2])})
    return out


def _hugetlb(d: CgPath) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for name in os.listdir(d):
        if name.startswith("hugetlb.") and name.endswith(".limit_in_bytes"):
            size = name.split(".")[1]
            out[size] = {"usage": _fs.read_int(d / f"hugetlb.{size}.usage_in_bytes"),
                         "max": _fs.read_int(d / f"hugetlb.{size}.max_usage_in_bytes"),
                         "failcnt": _fs.read_int(d / f"hugetlb.{size}.failcnt")}
    return out
