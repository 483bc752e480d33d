"""``docker update`` as a pure plan: (current HostConfig, request) → (new HostConfig, the OCI
``linux.resources`` to write now). Checks and messages are moby's (``verifyContainerSettings``
on the request, then ``UpdateContainer`` against the current values), so a bad request
changes nothing. Zero means "unchanged" in the request, as in the API; ``PidsLimit`` ≤ 0
and ``MemorySwap`` -1 mean unlimited.
"""

from __future__ import annotations

from typing import Any

from berth.errdefs import Conflict, InvalidArgument

from .create import _check_restart

MIN_MEMORY = 6 << 20
FIELDS = ("Memory", "MemorySwap", "MemoryReservation", "CpuShares", "CpuQuota", "CpuPeriod",
          "NanoCpus", "CpusetCpus", "CpusetMems", "PidsLimit", "BlkioWeight")


def parse_cpuset(text: str, what: str = "cpus") -> set[int]:
    """``0-2,4`` → {0,1,2,4}; moby's error for anything else."""
    out: set[int] = set()
    try:
        for part in text.split(","):
            lo, _, hi = part.partition("-")
            a, b = int(lo), int(hi) if hi else int(lo)
            if a < 0 or b < a:
                raise ValueError(part)
            out.update(range(a, b + 1))
    except ValueError:
        raise InvalidArgument(f"Invalid value {text} for cpuset {what}") from None
    return out


def _check_request(r: dict[str, Any], ncpu: int, cpus_online: set[int],
                   mems_online: set[int]) -> None:
    mem, swap, resv = r.get("Memory") or 0, r.get("MemorySwap") or 0, \
        r.get("MemoryReservation") or 0
    if mem and mem < MIN_MEMORY:
        raise InvalidArgument("Minimum memory limit allowed is 6MB")
    if mem > 0 and swap > 0 and swap < mem:
        raise InvalidArgument("Minimum memoryswap limit should be larger than memory limit, "
                              "see usage")
    if resv and resv < MIN_MEMORY:
        raise InvalidArgument("Minimum memory reservation allowed is 6MB")
    if mem > 0 and resv > 0 and mem < resv:
        raise InvalidArgument("Minimum memory limit can not be less than memory reservation "
                              "limit, see usage")
    nano = r.get("NanoCpus") or 0
    if nano and r.get("CpuPeriod"):
        raise InvalidArgument("Conflicting options: Nano CPUs and CPU Period cannot both be set")
    if nano and r.get("CpuQuota"):
        raise InvalidArgument("Conflicting options: Nano CPUs and CPU Quota cannot both be set")
    if nano and not 10_000_000 <= nano <= ncpu * 1_000_000_000:
        raise InvalidArgument(f"Range of CPUs is from 0.01 to {ncpu}.00, as there are only "
                              f"{ncpu} CPUs available")
    period, quota = r.get("CpuPeriod") or 0, r.get("CpuQuota") or 0
    if period and not 1000 <= period <= 1_000_000:
        raise InvalidArgument("CPU cfs period can not be less than 1ms (i.e. 1000) or larger "
                              "than 1s (i.e. 1000000)")
    if 0 < quota < 1000:
        raise InvalidArgument("CPU cfs quota can not be less than 1ms (i.e. 1000)")
    for key, what, online in (("CpusetCpus", "cpus", cpus_online),
                              ("CpusetMems", "mems", mems_online)):
        if r.get(key):
            missing = parse_cpuset(r[key], what) - online
            if missing and online:
                avail = ",".join(str(c) for c in sorted(online))
                kind = "CPUs" if what == "cpus" else "memory nodes"
                raise InvalidArgument(f"Requested {kind} are not available - requested "
                                      f"{r[key]}, available: {avail}")
    bw = r.get("BlkioWeight") or 0
    if bw and not 10 <= bw <= 1000:
        raise InvalidArgument("Range of blkio weight is from 10 to 1000")


def _conflicts(r: dict[str, Any], cur: dict[str, Any]) -> None:
    """``UpdateContainer``'s checks of the request against what is set (moby: 409)."""
    for new, old, what in (("NanoCpus", "CpuPeriod", "CPU Period"),
                           ("NanoCpus", "CpuQuota", "CPU Quota")):
        if (r.get(new) or 0) > 0 and (cur.get(old) or 0) > 0:
            raise Conflict(f"{what} cannot be updated as NanoCPUs has already been set")
        if (r.get(old) or 0) > 0 and (cur.get(new) or 0) > 0:
            raise Conflict(f"{what} cannot be updated as NanoCPUs has already been set")
    mem, cur_swap = r.get("Memory") or 0, cur.get("MemorySwap") or 0
    if mem and cur_swap > 0 and mem > cur_swap and not r.get("MemorySwap"):
        raise Conflict("Memory limit should be smaller than already set memoryswap limit, "
                       "update the memoryswap at the same time")


def plan(cur: dict[str, Any], r: dict[str, Any], *, ncpu: int, cpus_online: set[int],
         mems_online: set[int]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(new HostConfig, OCI resources to apply to a live container)."""
    if not isinstance(r, dict):
        raise InvalidArgument("update config must be a JSON object")
    _check_request(r, ncpu, cpus_online, mems_online)
    _conflicts(r, cur)
    hc = dict(cur)
    for key in FIELDS:
        if key == "PidsLimit":
            if r.get(key) is not None:
                hc[key] = r[key] if r[key] > 0 else None
        elif r.get(key):
            hc[key] = r[key]
    rp = r.get("RestartPolicy") or {}
    if rp.get("Name"):
        probe = {"RestartPolicy": dict(rp)}
        _check_restart(probe)
        if cur.get("AutoRemove") and probe["RestartPolicy"]["Name"] != "no":
            raise Conflict("Restart policy cannot be updated because AutoRemove is enabled "
                           "for the container")
        hc["RestartPolicy"] = probe["RestartPolicy"]
    return hc, resources(r, hc)


def resources(r: dict[str, Any], hc: dict[str, Any]) -> dict[str, Any]:
    """Only what the request changes, in OCI terms (runtime ``update`` merges it)."""
    res: dict[str, Any] = {}
    mem = {oci: r[key] for key, oci in (("Memory", "limit"), ("MemorySwap", "swap"),
                                        ("MemoryReservation", "reservation")) if r.get(key)}
    if mem:
        res["memory"] = mem
    cpu: dict[str, Any] = {}
    if r.get("CpuShares"):
        cpu["shares"] = r["CpuShares"]
    if r.get("NanoCpus"):
        cpu.update(period=100000, quota=r["NanoCpus"] * 100000 // 1_000_000_000)
    for key, oci in (("CpuQuota", "quota"), ("CpuPeriod", "period"),
                     ("CpusetCpus", "cpus"), ("CpusetMems", "mems")):
        if r.get(key):
            cpu[oci] = r[key]
    if cpu:
        res["cpu"] = cpu
    if r.get("PidsLimit") is not None:
        res["pids"] = {"limit": hc["PidsLimit"] or -1}
    if r.get("BlkioWeight"):
        res["blockIO"] = {"weight": r["BlkioWeight"]}
    return res
