"""stats (docker's CPU %/memory arithmetic and table), events lines, update's body."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from berth.client import APIClient

STATS_TABLE = ("table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t"
               "{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}")
STATS_HEADER = {"ID": "CONTAINER ID", "Name": "NAME", "CPUPerc": "CPU %",
                "MemUsage": "MEM USAGE / LIMIT", "MemPerc": "MEM %", "NetIO": "NET I/O",
                "BlockIO": "BLOCK I/O", "PIDs": "PIDS", "Container": "CONTAINER"}

UPDATE_FLAGS: list[tuple[str, ...]] = [("--blkio-weight", "Block IO (relative weight)"),
                ("--cpu-period", "Limit CPU CFS period"), ("--cpu-quota", "Limit CPU CFS quota"),
                ("-c", "--cpu-shares", "CPU shares (relative weight)"),
                ("--cpus", "Number of CPUs"),
                ("--cpuset-cpus", "CPUs in which to allow execution (0-3, 0,1)"),
                ("--cpuset-mems", "MEMs in which to allow execution (0-3, 0,1)"),
                ("-m", "--memory", "Memory limit"), ("--memory-reservation", "Memory soft limit"),
                ("--memory-swap", "Swap limit equal to memory plus swap"),
                ("--pids-limit", "Tune container pids limit"),
                ("--restart", "Restart policy to apply when a container exits")]


def _checks() -> dict[str, Any]:
    from berth.cli.commands import convert as cv

    return {"cpus": cv.nano_cpus, "cpuset_cpus": str, "cpuset_mems": str,
            **dict.fromkeys(("blkio_weight", "cpu_period", "cpu_quota", "cpu_shares",
                             "pids_limit"), cv.integer)}


def update_body(o: dict[str, Any], path: str, usage: str) -> dict[str, Any]:
    """docker's container.UpdateConfig in its JSON key order. Values are checked first as
    pflag does while parsing: a bad one is a flag error (usage, status 125)."""
    from berth.cli.commands import convert as cv

    for decls, _help in ((d[:-1], d[-1]) for d in UPDATE_FLAGS):
        key = decls[-1][2:].replace("-", "_")
        if o.get(key) and key != "restart" and o[key] != "-1":
            try:
                _checks().get(key, cv.ram_in_bytes)(o[key])
            except cv.BadValue as exc:
                from berth.cli.usage import flag_error

                shown = ", ".join(decls)
                raise flag_error(f'invalid argument "{o[key]}" for "{shown}" flag: {exc}',
                                 path, usage) from None

    def size(k: str) -> int:
        return cv.ram_in_bytes(o[k]) if o.get(k) else 0

    def num(k: str) -> int:
        return cv.integer(o[k]) if o.get(k) else 0

    swap = -1 if o.get("memory_swap") == "-1" else size("memory_swap")
    body: dict[str, Any] = {
        "CpuShares": num("cpu_shares"), "Memory": size("memory"),
        "NanoCpus": cv.nano_cpus(o["cpus"]) if o.get("cpus") else 0, "CgroupParent": "",
        "BlkioWeight": num("blkio_weight"), "BlkioWeightDevice": None,
        "BlkioDeviceReadBps": None, "BlkioDeviceWriteBps": None, "BlkioDeviceReadIOps": None,
        "BlkioDeviceWriteIOps": None, "CpuPeriod": num("cpu_period"),
        "CpuQuota": num("cpu_quota"), "CpuRealtimePeriod": 0, "CpuRealtimeRuntime": 0,
        "CpusetCpus": o.get("cpuset_cpus") or "", "CpusetMems": o.get("cpuset_mems") or "",
        "Devices": None, "DeviceCgroupRules": None, "DeviceRequests": None,
        "MemoryReservation": size("memory_reservation"), "MemorySwap": swap,
        "MemorySwappiness": None, "OomKillDisable": None,
        "PidsLimit": num("pids_limit") if o.get("pids_limit") else None, "Ulimits": None,
        "CpuCount": 0, "CpuPercent": 0, "IOMaximumIOps": 0, "IOMaximumBandwidth": 0,
        "RestartPolicy": cv.restart_policy(o["restart"]) if o.get("restart")
        else {"Name": "", "MaximumRetryCount": 0}}
    return body


def _row(cid: str, name: str, s: dict[str, Any]) -> dict[str, str]:
    from berth._util.units import bytes_size, human_size_precision

    cpu = s.get("cpu_stats") or {}
    pre = s.get("precpu_stats") or {}
    cd = (cpu.get("cpu_usage") or {}).get("total_usage", 0) - \
        (pre.get("cpu_usage") or {}).get("total_usage", 0)
    sd = (cpu.get("system_cpu_usage") or 0) - (pre.get("system_cpu_usage") or 0)
    ncpu = cpu.get("online_cpus") or len((cpu.get("cpu_usage") or {}).get("percpu_usage")
                                         or []) or 1
    cpu_pct = cd / sd * ncpu * 100.0 if sd > 0 and cd > 0 else 0.0
    mem = s.get("memory_stats") or {}
    st = mem.get("stats") or {}
    used = (mem.get("usage") or 0) - st.get("inactive_file", st.get("total_inactive_file", 0))
    limit = mem.get("limit") or 0
    rx = sum(n.get("rx_bytes", 0) for n in (s.get("networks") or {}).values())
    tx = sum(n.get("tx_bytes", 0) for n in (s.get("networks") or {}).values())
    rd = wr = 0
    for e in (s.get("blkio_stats") or {}).get("io_service_bytes_recursive") or []:
        op = (e.get("op") or "").lower()
        rd += e.get("value", 0) if op == "read" else 0
        wr += e.get("value", 0) if op == "write" else 0
    pids = (s.get("pids_stats") or {}).get("current", 0)
    h = human_size_precision
    return {"ID": cid, "Name": name.lstrip("/") or "--", "CPUPerc": f"{cpu_pct:.2f}%",
            "MemUsage": f"{bytes_size(used)} / {bytes_size(limit)}",
            "MemPerc": f"{(used / limit * 100 if limit else 0):.2f}%",
            "NetIO": f"{h(rx, 3)} / {h(tx, 3)}", "BlockIO": f"{h(rd, 3)} / {h(wr, 3)}",
            "PIDs": str(pids), "Container": cid}


def show_stats(c: APIClient, names: list[str], all: bool, fmt: str, no_stream: bool,
               no_trunc: bool) -> None:
    """One table (``--no-stream``) or a table redrawn every second on a terminal."""
    import json

    from berth.cli.format.govalues import Context
    from berth.cli.format.listing import render

    class Row(Context):
        type_name = "*formatter.statsContext"
        json_fields = tuple(STATS_HEADER)

        def __init__(self, d: dict[str, str]) -> None:
            for k, v in d.items():
                setattr(self, k, v)

    if not names:
        names = [x["Id"] for x in c.containers.list(all=all)]
    live = not no_stream and sys.stdout.isatty()
    while True:
        rows = []
        for n in names:
            s = json.loads(c.containers.stats(n, stream=False).read() or b"{}")
            cid = s.get("id") or n
            rows.append(Row(_row(cid if no_trunc else cid[:12], s.get("name", ""), s)))
        text = render(fmt or STATS_TABLE, rows, STATS_HEADER)
        if live:
            sys.stdout.write("\033[2J\033[H")
        sys.stdout.write(text)
        sys.stdout.flush()
        if not live:
            return
        time.sleep(1)  # the refresh period of docker's live table
