"""runc-shaped cgroup stats → the Engine API's ``StatsResponse`` (``docker stats``).

Pure functions (no I/O but the small host readers, which take the ``/proc`` root as an
argument), so the projection is unit-tested on fixed input. The docker CLI computes its
columns from these fields: CPU % from the deltas of ``cpu_usage.total_usage`` and
``system_cpu_usage`` against ``precpu_stats`` times ``online_cpus``; MEM from ``usage``
minus ``stats.total_inactive_file`` (v1) or ``stats.inactive_file`` (v2) over ``limit``;
NET from ``networks``; BLOCK from ``blkio_stats.io_service_bytes_recursive``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

ZERO_TIME = "0001-01-01T00:00:00Z"
UNLIMITED = 1 << 62  # cgroup "no limit" values are 2**63-4096 (v1) or 2**64-1 ("max")
USER_HZ = 100
NET_FIELDS = ("rx_bytes", "rx_packets", "rx_errors", "rx_dropped",
              "tx_bytes", "tx_packets", "tx_errors", "tx_dropped")


def empty_cpu() -> dict[str, Any]:
    """``CPUStats`` zero value (what Go marshals for an unset struct)."""
    return {"cpu_usage": {"total_usage": 0, "usage_in_kernelmode": 0, "usage_in_usermode": 0},
            "throttling_data": {"periods": 0, "throttled_periods": 0, "throttled_time": 0}}


def empty(name: str, cid: str) -> dict[str, Any]:
    """moby's answer for a container that is not running: only name and id are set."""
    return {"read": ZERO_TIME, "preread": ZERO_TIME, "pids_stats": {},
            "blkio_stats": _blkio_null(), "num_procs": 0, "storage_stats": {},
            "cpu_stats": empty_cpu(), "precpu_stats": empty_cpu(), "memory_stats": {},
            "name": name, "id": cid}


def _blkio_null() -> dict[str, Any]:
    keys = ("io_service_bytes_recursive", "io_serviced_recursive", "io_queue_recursive",
            "io_service_time_recursive", "io_wait_time_recursive", "io_merged_recursive",
            "io_time_recursive", "sectors_recursive")
    return dict.fromkeys(keys)


def cpu_stats(raw: dict[str, Any], system_ns: int, online: int) -> dict[str, Any]:
    cpu = raw.get("cpu") or {}
    usage, thr = cpu.get("usage") or {}, cpu.get("throttling") or {}
    out: dict[str, Any] = {
        "cpu_usage": {"total_usage": usage.get("total", 0),
                      "usage_in_kernelmode": usage.get("kernel", 0),
                      "usage_in_usermode": usage.get("user", 0)},
        "system_cpu_usage": system_ns, "online_cpus": online,
        "throttling_data": {"periods": thr.get("periods", 0),
                            "throttled_periods": thr.get("throttled_periods", 0),
                            "throttled_time": thr.get("throttled_time", 0)}}
    if usage.get("percpu"):
        out["cpu_usage"]["percpu_usage"] = list(usage["percpu"])
    return out


def memory_stats(raw: dict[str, Any], machine_memory: int) -> dict[str, Any]:
    """v1: usage/max_usage/failcnt/limit + memory.stat; the limit is capped at the host's
    memory as moby does (an unlimited cgroup reports 2**63)."""
    mem = raw.get("memory") or {}
    usage = mem.get("usage") or {}
    limit = usage.get("limit", 0)
    if machine_memory and (limit == 0 or limit > machine_memory):
        limit = machine_memory
    out: dict[str, Any] = {"usage": usage.get("usage", 0), "stats": dict(mem.get("raw") or {}),
                           "limit": limit}
    if usage.get("max"):
        out["max_usage"] = usage["max"]
    if usage.get("failcnt"):
        out["failcnt"] = usage["failcnt"]
    return out


def blkio_stats(raw: dict[str, Any]) -> dict[str, Any]:
    b = raw.get("blkio") or {}
    out = _blkio_null()
    out["io_service_bytes_recursive"] = [_blk(e) for e in b.get("ioServiceBytesRecursive") or []]
    out["io_serviced_recursive"] = [_blk(e) for e in b.get("ioServicedRecursive") or []]
    return out


def _blk(e: dict[str, Any]) -> dict[str, Any]:
    return {"major": e.get("major", 0), "minor": e.get("minor", 0),
            "op": e.get("op", ""), "value": e.get("value", 0)}


def pids_stats(raw: dict[str, Any]) -> dict[str, Any]:
    p = raw.get("pids") or {}
    out: dict[str, Any] = {"current": p.get("current", 0)}
    if 0 < p.get("limit", 0) < UNLIMITED:
        out["limit"] = p["limit"]
    return out


def project(raw: dict[str, Any], *, name: str, cid: str, read: str, system_ns: int,
            online: int, machine_memory: int, networks: dict[str, Any] | None,
            pre: dict[str, Any] | None = None) -> dict[str, Any]:
    """One ``StatsResponse``; ``pre`` is the previous response (its cpu_stats and read
    become ``precpu_stats``/``preread``)."""
    out: dict[str, Any] = {
        "read": read, "preread": pre["read"] if pre else ZERO_TIME,
        "pids_stats": pids_stats(raw), "blkio_stats": blkio_stats(raw), "num_procs": 0,
        "storage_stats": {}, "cpu_stats": cpu_stats(raw, system_ns, online),
        "precpu_stats": pre["cpu_stats"] if pre else empty_cpu(),
        "memory_stats": memory_stats(raw, machine_memory), "name": name, "id": cid}
    if networks is not None:
        out["networks"] = networks
    return out


# -- host readers (the /proc root is a parameter: tests point it at a fake tree) ------------

def system_cpu_ns(proc: Path) -> int:
    """Host CPU time (``/proc/stat`` first line, first 7 fields) in ns, as moby reads it."""
    with open(proc / "stat", encoding="ascii") as f:
        for line in f:
            if line.startswith("cpu "):
                ticks = sum(int(x) for x in line.split()[1:8])
                return ticks * (1_000_000_000 // USER_HZ)
    return 0


def online_cpus(proc: Path) -> int:
    try:
        with open(proc / "stat", encoding="ascii") as f:
            n = sum(1 for line in f if line.startswith("cpu") and line[3:4].isdigit())
    except OSError:
        n = 0
    return n or os.cpu_count() or 1


def machine_memory(proc: Path) -> int:
    try:
        with open(proc / "meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def net_dev(text: str) -> dict[str, dict[str, int]]:
    """``/proc/<pid>/net/dev`` → {iface: NetworkStats}; ``lo`` left out (docker has none)."""
    out: dict[str, dict[str, int]] = {}
    for line in text.splitlines()[2:]:
        iface, _, rest = line.partition(":")
        iface, f = iface.strip(), rest.split()
        if iface == "lo" or len(f) < 16:
            continue
        rx, tx = [int(x) for x in f[0:4]], [int(x) for x in f[8:12]]
        out[iface] = dict(zip(NET_FIELDS, rx + tx, strict=True))
    return out
