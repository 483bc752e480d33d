"""OCI ``linux.resources`` → cgroup v2 files, with the spec's v1→v2 conversions.

- cpu.shares (2..262144) → cpu.weight (1..10000): ``1 + (shares-2)*9999/262142``;
- blkio weight (10..1000) → io.weight (1..10000): ``1 + (w-10)*9999/990``
  (io.bfq.weight takes the blkio value unchanged when BFQ is present);
- memory.swap is memory+swap in OCI; memory.swap.max = swap - limit;
- quota/period → ``cpu.max`` as ``"<quota|max> <period>"``.

v1-only fields (kernelTCP, swappiness, disableOOMKiller, realtime*, leafWeight, network)
are refused with an error naming the field rather than dropped.
"""

from __future__ import annotations

from berth.errdefs import FailedPrecondition, InvalidArgument
from berth.runtime.cgroups import _fs, devices
from berth.runtime.cgroups._path import CgPath
from berth.runtime.cgroups.v1_set import _devno, _page_size, rdma_line
from berth.runtime.log import LazyLogger

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from berth.runtime.cgroups._path import StrPath

log = LazyLogger(__name__)
F = "linux.resources."


def set_resources(d: StrPath, r: dict[str, Any]) -> None:
    """Apply each present section; ``unified`` last so it overrides (runc does the same)."""
    d = CgPath(d)
    if r.get("memory"):
        _memory(d, r["memory"])
    if r.get("cpu"):
        _cpu(d, r["cpu"])
    if (r.get("pids") or {}).get("limit") not in (None, 0):
        limit = r["pids"]["limit"]
        _write(d, "pids.max", "max" if limit < 0 else limit, F + "pids.limit")
    if r.get("blockIO"):
        _io(d, r["blockIO"])
    if r.get("hugepageLimits"):
        hugetlb(d, r["hugepageLimits"])
    if r.get("devices") is not None:
        devices.v2_check(r["devices"])
    if r.get("network"):
        raise InvalidArgument(f"{F}network: net_cls/net_prio exist only on cgroup v1")
    for dev, lim in (r.get("rdma") or {}).items():
        _write(d, "rdma.max", rdma_line(dev, lim), f"{F}rdma.{dev}")
    if r.get("unified"):
        unified(d, r["unified"])


def _write(d: CgPath, name: str, value: str | int, field: str) -> None:
    """Write, first checking the controller is enabled so the error says which one."""
    ctrl = name.split(".")[0]
    if ctrl != "cgroup" and not (d / name).exists():
        have = _fs.read(d / "cgroup.controllers").split() if d.exists() else []
        if ctrl not in have:
            raise FailedPrecondition(f"{field}: the {ctrl} controller is not enabled in {d} "
                                     f"(cgroup.controllers: {' '.join(have) or 'none'})")
    _fs.write(d / name, value, field)


def swap_max(limit: int, swap: int) -> int | str | None:
    """OCI memory+swap → memory.swap.max; None leaves it alone."""
    if swap == -1:
        return "max"
    if swap == 0:
        return None
    if limit in (0, -1):
        raise InvalidArgument(f"{F}memory.swap: a swap limit needs a memory limit on cgroup v2")
    if swap < limit:
        raise InvalidArgument(f"{F}memory.swap: {swap} is below memory limit {limit} "
                              "(swap is memory+swap)")
    return swap - limit


def _memory(d: CgPath, m: dict[str, Any]) -> None:
    f = F + "memory."
    for key in ("kernelTCP", "disableOOMKiller"):
        if m.get(key):
            raise InvalidArgument(f"{f}{key}: not supported on cgroup v2")
    if m.get("swappiness") not in (None, -1):
        raise InvalidArgument(f"{f}swappiness: not supported on cgroup v2 (v1 only)")
    if m.get("useHierarchy") is False:
        raise InvalidArgument(f"{f}useHierarchy: cgroup v2 is always hierarchical")
    if m.get("kernel"):
        log.info("%skernel is ignored: cgroup v2 has no kernel memory limit", f)
    limit, swap = m.get("limit") or 0, m.get("swap") or 0
    if m.get("checkBeforeUpdate") and limit > 0:
        usage = _fs.read_int(d / "memory.current")
        if limit < usage:
            raise InvalidArgument(f"{f}limit: {limit} is below current usage {usage} "
                                  "(checkBeforeUpdate)")
    sw = swap_max(limit, swap)
    if sw is not None:
        _write(d, "memory.swap.max", sw, f + "swap")
    if limit:
        _write(d, "memory.max", "max" if limit == -1 else limit, f + "limit")
    if m.get("reservation"):
        r = m["reservation"]
        _write(d, "memory.low", "max" if r == -1 else r, f + "reservation")


def cpu_weight(shares: int) -> int:
    """cpu.shares → cpu.weight (runtime-spec's cgroup v2 conversion)."""
    if not 2 <= shares <= 262144:
        raise InvalidArgument(f"{F}cpu.shares: {shares} is not within 2..262144")
    return 1 + ((shares - 2) * 9999) // 262142


def _cpu(d: CgPath, c: dict[str, Any]) -> None:
    f = F + "cpu."
    for key in ("realtimeRuntime", "realtimePeriod"):
        if c.get(key):
            raise InvalidArgument(f"{f}{key}: real-time scheduling limits are cgroup v1 only")
    if c.get("shares"):
        _write(d, "cpu.weight", cpu_weight(c["shares"]), f + "shares")
    quota, period = c.get("quota") or 0, c.get("period") or 0
    if quota or period:
        text = str(quota) if quota > 0 else "max"
        _write(d, "cpu.max", f"{text} {period}" if period else text, f + "quota")
    if c.get("burst") is not None:
        _write(d, "cpu.max.burst", c["burst"], f + "burst")
    if c.get("idle") is not None:
        _write(d, "cpu.idle", c["idle"], f + "idle")
    for key in ("cpus", "mems"):
        if c.get(key):
            _write(d, f"cpuset.{key}", c[key], f + key)


def io_weight(weight: int, field: str) -> int:
    """blkio weight → io.weight."""
    if not 10 <= weight <= 1000:
        raise InvalidArgument(f"{field}: {weight} is not within 10..1000")
    return 1 + ((weight - 10) * 9999) // 990


def _io(d: CgPath, b: dict[str, Any]) -> None:
    f = F + "blockIO."
    if b.get("leafWeight"):
        raise InvalidArgument(f"{f}leafWeight: cgroup v1 only")
    bfq = (d / "io.bfq.weight").exists()
    if b.get("weight"):
        w = b["weight"]
        _write(d, "io.bfq.weight" if bfq else "io.weight",
               w if bfq else io_weight(w, f + "weight"), f + "weight")
    for i, wd in enumerate(b.get("weightDevice") or []):
        field = f"{f}weightDevice[{i}]"
        if wd.get("weight"):
            w = wd["weight"] if bfq else io_weight(wd["weight"], field)
            _write(d, "io.bfq.weight" if bfq else "io.weight", f"{_devno(wd, field)} {w}", field)
    for key, io_key in (("throttleReadBpsDevice", "rbps"), ("throttleWriteBpsDevice", "wbps"),
                        ("throttleReadIOPSDevice", "riops"),
                        ("throttleWriteIOPSDevice", "wiops")):
        for i, td in enumerate(b.get(key) or []):
            field = f"{f}{key}[{i}]"
            rate = td.get("rate", 0)
            _write(d, "io.max", f"{_devno(td, field)} {io_key}={rate or 'max'}", field)


def hugetlb(d: StrPath, limits: list[dict[str, Any]]) -> None:
    """hugepageLimits → hugetlb.<size>.max."""
    d = CgPath(d)
    for i, h in enumerate(limits):
        _write(d, f"hugetlb.{_page_size(h, i)}.max", h.get("limit", 0),
               f"{F}hugepageLimits[{i}]")


def unified(d: StrPath, values: dict[str, str]) -> None:
    """Raw ``<controller>.<file>`` writes; the key must name a file of an enabled controller."""
    d = CgPath(d)
    for key, value in values.items():
        field = f"{F}unified[{key!r}]"
        if "/" in key or "." not in key or key.startswith("."):
            raise InvalidArgument(f"{field}: not a cgroup interface file name")
        if not (d / key).exists():
            ctrl = key.split(".")[0]
            if ctrl != "cgroup" and ctrl not in _fs.read(d / "cgroup.controllers").split():
                raise FailedPrecondition(f"{field}: the {ctrl} controller is not enabled in {d}")
            raise InvalidArgument(f"{field}: {d / key} does not exist")
        _fs.write(d / key, value, field)
