"""cgroup v2 files → runc's ``events --stats`` shape (see ``manager.empty_stats``)."""

from __future__ import annotations

import os

from berth.runtime.cgroups import _fs
from berth.runtime.cgroups._path import CgPath
from berth.runtime.cgroups.manager import empty_stats, memory_entry

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from berth.runtime.cgroups._path import StrPath


def collect(d: StrPath) -> dict[str, Any]:
    """Everything one directory reports; disabled controllers leave zeros."""
    d = CgPath(d)
    s = empty_stats()
    cpu = _fs.read_keyed(d / "cpu.stat")
    s["cpu"]["usage"].update(total=cpu.get("usage_usec", 0) * 1000,
                             user=cpu.get("user_usec", 0) * 1000,
                             kernel=cpu.get("system_usec", 0) * 1000)
    s["cpu"]["throttling"] = {"periods": cpu.get("nr_periods", 0),
                              "throttled_periods": cpu.get("nr_throttled", 0),
                              "throttled_time": cpu.get("throttled_usec", 0) * 1000}
    _memory(d, s["memory"])
    s["pids"] = {"current": _fs.read_int(d / "pids.current"),
                 "limit": _fs.read_int(d / "pids.max")}
    s["blkio"] = io_stat(d / "io.stat")
    s["hugetlb"] = hugetlb(d)
    return s


def _memory(d: CgPath, m: dict[str, Any]) -> None:
    raw = _fs.read_keyed(d / "memory.stat")
    events = _fs.read_keyed(d / "memory.events")
    usage = _fs.read_int(d / "memory.current")
    m["raw"], m["cache"] = raw, raw.get("file", 0)
    m["usage"] = memory_entry(usage, _fs.read_int(d / "memory.peak"),
                              _fs.read_int(d / "memory.max", _fs.MAX_U64), events.get("max", 0))
    swap = _fs.read_int(d / "memory.swap.current")
    # runc reports v2 "swap" as memory+swap so it compares with v1's memsw.
    m["swap"] = memory_entry(usage + swap, _fs.read_int(d / "memory.swap.peak"),
                             _fs.read_int(d / "memory.swap.max", _fs.MAX_U64),
                             _fs.read_keyed(d / "memory.swap.events").get("fail", 0))
    m["kernel"] = memory_entry(raw.get("kernel", raw.get("slab", 0)), 0, 0, 0)


def io_stat(path: CgPath) -> dict[str, list[dict[str, Any]]]:
    """``8:0 rbytes=1 wbytes=2 rios=3 wios=4 …`` → v1-style Read/Write entries."""
    out: dict[str, list[dict[str, Any]]] = {"ioServiceBytesRecursive": [],
                                            "ioServicedRecursive": []}
    try:
        text = _fs.read(path)
    except FileNotFoundError:
        return out
    for line in text.splitlines():
        dev, *pairs = line.split()
        major, minor = (int(x) for x in dev.split(":"))
        kv = dict(p.split("=", 1) for p in pairs if "=" in p)
        for key, target, op in (("rbytes", "ioServiceBytesRecursive", "Read"),
                                ("wbytes", "ioServiceBytesRecursive", "Write"),
                                ("rios", "ioServicedRecursive", "Read"),
                                ("wios", "ioServicedRecursive", "Write")):
            if key in kv:
                out[target].append({"major": major, "minor": minor, "op": op,
                                    "value": int(kv[key])})
    return out


def hugetlb(d: StrPath) -> dict[str, dict[str, int]]:
    """Per page size: usage (current), max (limit) and failcnt (events ``max``)."""
    d = CgPath(d)
    out: dict[str, dict[str, int]] = {}
    try:
        names = os.listdir(d)
    except FileNotFoundError:
        return out
    for name in names:
        parts = name.split(".")
        if len(parts) == 3 and parts[0] == "hugetlb" and parts[2] == "current":
            size = parts[1]
            out[size] = {"usage": _fs.read_int(d / name),
                         "max": _fs.read_int(d / f"hugetlb.{size}.max"),
                         "failcnt": _fs.read_keyed(d / f"hugetlb.{size}.events").get("max", 0)}
    return out
