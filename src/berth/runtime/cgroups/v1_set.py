"""OCI ``linux.resources`` → cgroup v1 interface files.

Zero and absent mean "leave as is" (runc's convention), -1 means unlimited. Write order
matters in two places: memory limit vs memsw (memsw must stay ≥ limit) and cfs period vs
quota. ``memory.kernel`` is ignored with a log line: kernel ≥ 5.16 refuses kmem limits.
"""

from __future__ import annotations

from berth.errdefs import InvalidArgument
from berth.runtime.cgroups import _fs, devices
from berth.runtime.cgroups._path import CgPath
from berth.runtime.log import LazyLogger

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    #: (controller, spec field) → that controller's directory, or a clear error
    DirOf = Callable[[str, str], CgPath]

log = LazyLogger(__name__)


def set_resources(d: DirOf, r: dict[str, Any], unified: Callable[[dict[str, str]], None]) -> None:
    """Apply each present section of ``linux.resources``."""
    if r.get("memory"):
        _memory(d, r["memory"])
    if r.get("cpu"):
        _cpu(d, r["cpu"])
    if (r.get("pids") or {}).get("limit") not in (None, 0):
        limit = r["pids"]["limit"]
        _fs.write(d("pids", "pids.limit") / "pids.max", "max" if limit < 0 else limit,
                  "linux.resources.pids.limit")
    if r.get("blockIO"):
        _blkio(d, r["blockIO"])
    for i, h in enumerate(r.get("hugepageLimits") or []):
        size = _page_size(h, i)
        _fs.write(d("hugetlb", "hugepageLimits") / f"hugetlb.{size}.limit_in_bytes",
                  h.get("limit", 0), f"linux.resources.hugepageLimits[{i}]")
    if r.get("devices") is not None:
        _devices(d, r["devices"])
    if r.get("network"):
        _network(d, r["network"])
    if r.get("rdma"):
        for dev, lim in r["rdma"].items():
            _fs.write(d("rdma", "rdma") / "rdma.max", rdma_line(dev, lim),
                      f"linux.resources.rdma.{dev}")
    if r.get("unified"):
        unified(r["unified"])


def _memory(d: DirOf, m: dict[str, Any]) -> None:
    mem = d("memory", "memory")
    f = "linux.resources.memory."
    limit, swap = m.get("limit") or 0, m.get("swap") or 0
    if m.get("checkBeforeUpdate") and limit > 0:
        usage = _fs.read_int(mem / "memory.usage_in_bytes")
        if limit < usage:
            raise InvalidArgument(f"{f}limit: {limit} is below current usage {usage} "
                                  "(checkBeforeUpdate)")
    _limit_and_swap(mem, limit, swap)
    if m.get("kernel"):
        log.info("%skernel is ignored: kernel memory limits are gone from Linux", f)
    if m.get("kernelTCP"):
        _fs.write(mem / "memory.kmem.tcp.limit_in_bytes", m["kernelTCP"], f + "kernelTCP")
    if m.get("reservation"):
        _fs.write(mem / "memory.soft_limit_in_bytes", m["reservation"], f + "reservation")
    if m.get("swappiness") is not None and m["swappiness"] != -1:
        if not 0 <= m["swappiness"] <= 100:
            raise InvalidArgument(f"{f}swappiness: {m['swappiness']} is not within 0..100")
        _fs.write(mem / "memory.swappiness", m["swappiness"], f + "swappiness")
    if m.get("disableOOMKiller"):
        _fs.write(mem / "memory.oom_control", 1, f + "disableOOMKiller")
    if m.get("useHierarchy") is not None:
        _fs.write(mem / "memory.use_hierarchy", int(bool(m["useHierarchy"])), f + "useHierarchy")


def _limit_and_swap(mem: CgPath, limit: int, swap: int) -> None:
    """OCI v1 ``swap`` is memory+swap (memsw); order the writes so memsw ≥ limit always holds."""
    f = "linux.resources.memory."
    if limit == -1 and swap == 0:
        swap = -1
    if swap > 0 and limit > 0 and swap < limit:
        raise InvalidArgument(f"{f}swap: {swap} is below memory limit {limit} "
                              "(swap is memory+swap)")
    memsw = mem / "memory.memsw.limit_in_bytes"
    if swap and not memsw.exists():
        if swap == -1 and limit == -1:
            swap = 0  # no swap accounting: nothing to lift
        else:
            raise InvalidArgument(f"{f}swap: {memsw} missing (no swap accounting in kernel)")
    cur = _fs.read_int(mem / "memory.limit_in_bytes")
    swap_first = bool(limit and swap and (swap == -1 or cur < swap))
    if swap_first:
        _fs.write(memsw, swap, f + "swap")
    if limit:
        _fs.write(mem / "memory.limit_in_bytes", limit, f + "limit")
    if swap and not swap_first:
        _fs.write(memsw, swap, f + "swap")


def _cpu(d: DirOf, c: dict[str, Any]) -> None:
    f = "linux.resources.cpu."
    pairs = [("shares", "cpu.shares"), ("period", "cpu.cfs_period_us"),
             ("quota", "cpu.cfs_quota_us"), ("burst", "cpu.cfs_burst_us"),
             ("realtimePeriod", "cpu.rt_period_us"), ("realtimeRuntime", "cpu.rt_runtime_us"),
             ("idle", "cpu.idle")]
    for key, name in pairs:
        if c.get(key) not in (None, 0) or (key in ("burst", "idle") and c.get(key) is not None):
            _fs.write(d("cpu", f + key) / name, c[key], f + key)
    for key in ("cpus", "mems"):
        if c.get(key):
            _fs.write(d("cpuset", f + key) / f"cpuset.{key}", c[key], f + key)


def _blkio(d: DirOf, b: dict[str, Any]) -> None:
    f = "linux.resources.blockIO."
    blk = d("blkio", "blockIO")
    weight_file = "blkio.weight" if (blk / "blkio.weight").exists() else "blkio.bfq.weight"
    if b.get("weight"):
        _fs.write(blk / weight_file, b["weight"], f + "weight")
    if b.get("leafWeight"):
        _fs.write(blk / "blkio.leaf_weight", b["leafWeight"], f + "leafWeight")
    for i, wd in enumerate(b.get("weightDevice") or []):
        if wd.get("weight"):
            _fs.write(blk / f"{weight_file}_device", f"{_devno(wd, f'{f}weightDevice[{i}]')} "
                      f"{wd['weight']}", f"{f}weightDevice[{i}]")
    for key, name in (("throttleReadBpsDevice", "read_bps_device"),
                      ("throttleWriteBpsDevice", "write_bps_device"),
                      ("throttleReadIOPSDevice", "read_iops_device"),
                      ("throttleWriteIOPSDevice", "write_iops_device")):
        for i, td in enumerate(b.get(key) or []):
            field = f"{f}{key}[{i}]"
            _fs.write(blk / f"blkio.throttle.{name}", f"{_devno(td, field)} {td.get('rate', 0)}",
                      field)


def _devno(entry: dict[str, Any], field: str) -> str:
    major, minor = entry.get("major"), entry.get("minor")
    if not isinstance(major, int) or not isinstance(minor, int) or major < 0 or minor < 0:
        raise InvalidArgument(f"{field}: major and minor must be non-negative integers")
    return f"{major}:{minor}"


def _page_size(h: dict[str, Any], i: int) -> str:
    size = h.get("pageSize", "")
    if not isinstance(size, str) or not size[:-2].isdigit() or size[-2:] not in ("KB", "MB", "GB"):
        raise InvalidArgument(f"linux.resources.hugepageLimits[{i}].pageSize: {size!r} is not "
                              "like 2MB or 1GB")
    return size


def _devices(d: DirOf, rules: list[dict[str, Any]]) -> None:
    dev = d("devices", "linux.resources.devices")
    texts = [devices.rule_text(i, r) for i, r in enumerate(rules)]
    for i, (allow, text) in enumerate(texts):
        _fs.write(dev / ("devices.allow" if allow else "devices.deny"), text,
                  f"linux.resources.devices[{i}]")


def _network(d: DirOf, n: dict[str, Any]) -> None:
    f = "linux.resources.network."
    if n.get("classID"):
        _fs.write(d("net_cls", f + "classID") / "net_cls.classid", n["classID"], f + "classID")
    for i, p in enumerate(n.get("priorities") or []):
        _fs.write(d("net_prio", f + "priorities") / "net_prio.ifpriomap",
                  f"{p['name']} {p['priority']}", f"{f}priorities[{i}]")


def rdma_line(dev: str, lim: dict[str, Any]) -> str:
    """``mlx4_0 hca_handle=2 hca_object=2000`` (same text on v1 and v2)."""
    parts = [dev]
    if lim.get("hcaHandles") is not None:
        parts.append(f"hca_handle={lim['hcaHandles']}")
    if lim.get("hcaObjects") is not None:
        parts.append(f"hca_object={lim['hcaObjects']}")
    if len(parts) == 1:
        raise InvalidArgument(f"linux.resources.rdma.{dev}: needs hcaHandles or hcaObjects")
    return " ".join(parts)
