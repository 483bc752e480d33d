"""``linux.resources``, devices, sysctls and rlimits from a HostConfig.

Device paths (``--device``, ``--blkio-weight-device`` …) are stat'ed on the host for
their major/minor numbers; a missing one is moby's "error gathering device information"
error. Privileged containers get every host device and an allow-all cgroup rule.
"""

from __future__ import annotations

import os
import stat
from typing import Any

from berth.errdefs import InvalidArgument

DEFAULT_RULES: list[dict[str, Any]] = [
    {"allow": False, "access": "rwm"},
    *({"allow": True, "type": "c", "major": ma, "minor": mi, "access": "rwm"}
      for ma, mi in ((1, 5), (1, 3), (1, 9), (1, 8), (5, 0), (5, 1))),
    {"allow": False, "type": "c", "major": 10, "minor": 229, "access": "rwm"},
]
RLIMITS = {"as", "core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice",
           "nofile", "nproc", "rss", "rtprio", "rttime", "sigpending", "stack"}
_HOST_DEV_SKIP = {"pts", "shm", "fd", "mqueue", ".lxc", ".lxd-mounts", ".udev"}
_NS_SYSCTLS = ("kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
               "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced")


def resources(hc: dict[str, Any]) -> dict[str, Any]:
    """The OCI resources object (cgroup limits) for ``hc``; empty parts left out."""
    res: dict[str, Any] = {}
    mem = {k: v for k, v in (("limit", hc.get("Memory")), ("reservation",
           hc.get("MemoryReservation")), ("swap", hc.get("MemorySwap"))) if v}
    sw = hc.get("MemorySwappiness")
    if sw is not None and sw >= 0:
        mem["swappiness"] = sw
    if hc.get("OomKillDisable"):
        mem["disableOOMKiller"] = True
    if mem:
        res["memory"] = mem
    cpu = _cpu(hc)
    if cpu:
        res["cpu"] = cpu
    if hc.get("PidsLimit") and hc["PidsLimit"] > 0:
        res["pids"] = {"limit": hc["PidsLimit"]}
    blkio = _blkio(hc)
    if blkio:
        res["blockIO"] = blkio
    return res


def _cpu(hc: dict[str, Any]) -> dict[str, Any]:
    cpu: dict[str, Any] = {}
    if hc.get("CpuShares"):
        cpu["shares"] = hc["CpuShares"]
    if hc.get("NanoCpus"):
        cpu["period"] = 100000
        cpu["quota"] = hc["NanoCpus"] * 100000 // 1_000_000_000
    else:
        if hc.get("CpuQuota"):
            cpu["quota"] = hc["CpuQuota"]
        if hc.get("CpuPeriod"):
            cpu["period"] = hc["CpuPeriod"]
    if hc.get("CpusetCpus"):
        cpu["cpus"] = hc["CpusetCpus"]
    if hc.get("CpusetMems"):
        cpu["mems"] = hc["CpusetMems"]
    return cpu


def _blkio(hc: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if hc.get("BlkioWeight"):
        out["weight"] = hc["BlkioWeight"]
    wd = [dict(_majmin(d["Path"], "BlkioWeightDevice"), weight=d["Weight"])
          for d in hc.get("BlkioWeightDevice") or []]
    if wd:
        out["weightDevice"] = wd
    for field, key in (("BlkioDeviceReadBps", "throttleReadBpsDevice"),
                       ("BlkioDeviceWriteBps", "throttleWriteBpsDevice"),
                       ("BlkioDeviceReadIOps", "throttleReadIOPSDevice"),
                       ("BlkioDeviceWriteIOps", "throttleWriteIOPSDevice")):
        rows = [dict(_majmin(d["Path"], field), rate=d["Rate"]) for d in hc.get(field) or []]
        if rows:
            out[key] = rows
    return out


def _majmin(path: str, what: str) -> dict[str, int]:
    try:
        st = os.stat(path)
    except OSError as e:
        raise InvalidArgument(f"{what}: {path}: {e.strerror.lower() if e.strerror else e}") \
            from None
    if not stat.S_ISBLK(st.st_mode):
        raise InvalidArgument(f"{what}: {path} is not a block device")
    return {"major": os.major(st.st_rdev), "minor": os.minor(st.st_rdev)}


def _device(host: str, ctr: str, perms: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    st = os.stat(host)
    if stat.S_ISCHR(st.st_mode):
        kind = "c"
    elif stat.S_ISBLK(st.st_mode):
        kind = "b"
    else:
        return None
    ma, mi = os.major(st.st_rdev), os.minor(st.st_rdev)
    dev = {"path": ctr, "type": kind, "major": ma, "minor": mi,
           "fileMode": stat.S_IMODE(st.st_mode), "uid": st.st_uid, "gid": st.st_gid}
    return dev, {"allow": True, "type": kind, "major": ma, "minor": mi, "access": perms}


def user_devices(hc: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(linux.devices, cgroup allow rules) for ``--device`` (a directory adds its tree)."""
    devs: list[dict[str, Any]] = []
    rules: list[dict[str, Any]] = []
    for d in hc.get("Devices") or []:
        host, ctr = d.get("PathOnHost", ""), d.get("PathInContainer") or d.get("PathOnHost", "")
        perms = d.get("CgroupPermissions") or "rwm"
        if not set(perms) <= set("rwm"):
            raise InvalidArgument(f"invalid device mode: {perms}")
        try:
            if os.path.isdir(host):
                pairs = [(os.path.join(dp, f), os.path.join(ctr, os.path.relpath(
                    os.path.join(dp, f), host))) for dp, _, fs in os.walk(host) for f in fs]
            else:
                pairs = [(host, ctr)]
            for h, c in pairs:
                got = _device(h, c, perms)
                if got is None and h == host:
                    raise InvalidArgument(f'error gathering device information while adding '
                                          f'custom device "{host}": not a device node')
                if got:
                    devs.append(got[0])
                    rules.append(got[1])
        except OSError as e:
            raise InvalidArgument(f'error gathering device information while adding custom '
                                  f'device "{host}": {(e.strerror or str(e)).lower()}') from None
    return devs, rules


def host_devices(dev_root: str = "/dev") -> list[dict[str, Any]]:
    """Every device node under /dev (privileged containers), as docker's HostDevices."""
    out = []
    for dp, dirs, files in os.walk(dev_root):
        dirs[:] = [d for d in dirs if not (dp == dev_root and d in _HOST_DEV_SKIP)]
        for f in files:
            path = os.path.join(dp, f)
            try:
                got = _device(path, path, "rwm")
            except OSError:
                continue
            if got:
                out.append(got[0])
    return out


def rlimits(ulimits: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    out = []
    for u in ulimits or []:
        name = str(u.get("Name", "")).lower()
        if name not in RLIMITS:
            raise InvalidArgument(f"invalid ulimit type: {name}")
        soft, hard = u.get("Soft", 0), u.get("Hard", 0)
        if soft > hard:
            raise InvalidArgument(f"ulimit soft limit must be less than or equal to hard limit:"
                                  f" {soft} > {hard}")
        out.append({"type": "RLIMIT_" + name.upper(), "soft": soft, "hard": hard})
    return out


def sysctls(hc: dict[str, Any]) -> dict[str, str]:
    """``Sysctls`` checked the way moby does: only namespaced keys, net.* not with host."""
    out = {}
    host_net = hc.get("NetworkMode") == "host"
    for k, v in (hc.get("Sysctls") or {}).items():
        ok = k in _NS_SYSCTLS or k.startswith("fs.mqueue.")
        if k.startswith("net."):
            if host_net:
                raise InvalidArgument(f"sysctl '{k}' not allowed in host network namespace")
            ok = True
        if not ok:
            raise InvalidArgument(f"sysctl '{k}' is not allowed")
        out[k] = str(v)
    return out
