"""A create body (API 1.44: Config fields, HostConfig, NetworkingConfig) → a new record.

The record's ``Config`` is the body merged with the image's config the way moby merges
(Env, Labels, ExposedPorts, Volumes united; Entrypoint/Cmd per ``specgen.process``;
User, WorkingDir, StopSignal, Healthcheck defaulted). ``HostConfig`` gets docker's zero
values and daemon adaptations (``default`` network → ``bridge``, MemorySwap = 2 * Memory
when only Memory is set, 64 MiB ShmSize) so inspect shows what will be applied.
"""

from __future__ import annotations

import os
from typing import Any

from berth.errdefs import InvalidArgument

from .specgen import process as proc
from .state import new_state, now_rfc3339

CONFIG_KEYS = ("Hostname", "Domainname", "User", "AttachStdin", "AttachStdout",
               "AttachStderr", "ExposedPorts", "Tty", "OpenStdin", "StdinOnce", "Env", "Cmd",
               "Healthcheck", "Image", "Volumes", "WorkingDir", "Entrypoint", "OnBuild",
               "Labels", "StopSignal", "StopTimeout", "Shell", "MacAddress",
               "NetworkDisabled", "ArgsEscaped")
HOSTCONFIG_DEFAULTS: dict[str, Any] = {
    "Binds": None, "ContainerIDFile": "", "LogConfig": {"Type": "json-file", "Config": {}},
    "NetworkMode": "bridge", "PortBindings": {}, "RestartPolicy": {"Name": "no",
    "MaximumRetryCount": 0}, "AutoRemove": False, "VolumeDriver": "", "VolumesFrom": None,
    "ConsoleSize": [0, 0], "CapAdd": None, "CapDrop": None, "CgroupnsMode": "private",
    "Dns": [], "DnsOptions": [], "DnsSearch": [], "ExtraHosts": None, "GroupAdd": None,
    "IpcMode": "private", "Cgroup": "", "Links": None, "OomScoreAdj": 0, "PidMode": "",
    "Privileged": False, "PublishAllPorts": False, "ReadonlyRootfs": False,
    "SecurityOpt": None, "UTSMode": "", "UsernsMode": "", "ShmSize": 64 << 20,
    "Runtime": "runc", "Isolation": "", "CpuShares": 0, "Memory": 0, "NanoCpus": 0,
    "CgroupParent": "", "BlkioWeight": 0, "BlkioWeightDevice": [],
    "BlkioDeviceReadBps": [], "BlkioDeviceWriteBps": [], "BlkioDeviceReadIOps": [],
    "BlkioDeviceWriteIOps": [], "CpuPeriod": 0, "CpuQuota": 0, "CpuRealtimePeriod": 0,
    "CpuRealtimeRuntime": 0, "CpusetCpus": "", "CpusetMems": "", "Devices": [],
    "DeviceCgroupRules": None, "DeviceRequests": None, "MemoryReservation": 0,
    "MemorySwap": 0, "MemorySwappiness": None, "OomKillDisable": None, "PidsLimit": None,
    "Ulimits": [], "CpuCount": 0, "CpuPercent": 0, "IOMaximumIOps": 0,
    "IOMaximumBandwidth": 0, "MaskedPaths": None, "ReadonlyPaths": None, "Init": None,
    "Tmpfs": None, "Sysctls": None,
}
LOG_DRIVERS = ("json-file", "local", "none")
RESTART_NAMES = ("", "no", "always", "unless-stopped", "on-failure")


def merge_config(body: dict[str, Any], image: dict[str, Any], cid: str) -> dict[str, Any]:
    """The container's Config: the body's fields over the image's defaults."""
    cfg: dict[str, Any] = {k: body.get(k) for k in CONFIG_KEYS}
    ep, cmd = proc.entrypoint_and_cmd(body, image)
    cfg.update(Entrypoint=ep, Cmd=cmd)
    cfg["Env"] = proc.merge_env(image.get("Env"), body.get("Env"))
    cfg["Labels"] = {**(image.get("Labels") or {}), **(body.get("Labels") or {})}
    for key in ("ExposedPorts", "Volumes"):
        merged = {**(image.get(key) or {}), **(body.get(key) or {})}
        cfg[key] = merged or None
    for key in ("User", "WorkingDir", "StopSignal", "Healthcheck", "OnBuild", "Shell"):
        if not cfg.get(key):
            cfg[key] = image.get(key) or ({"User": "", "WorkingDir": ""}.get(key))
    cfg["Hostname"] = cfg.get("Hostname") or cid[:12]
    cfg["Domainname"] = cfg.get("Domainname") or ""
    for key in ("AttachStdin", "AttachStdout", "AttachStderr", "Tty", "OpenStdin",
                "StdinOnce"):
        cfg[key] = bool(cfg.get(key))
    for key in ("StopSignal", "StopTimeout", "Healthcheck", "Shell", "MacAddress",
                "NetworkDisabled", "ArgsEscaped", "ExposedPorts"):
        if cfg.get(key) in (None, "", False):
            cfg.pop(key, None)
    return cfg


def host_config(body: dict[str, Any]) -> dict[str, Any]:
    """HostConfig with defaults filled and moby's create-time checks and adaptations."""
    given = body.get("HostConfig") or {}
    if not isinstance(given, dict):
        raise InvalidArgument("HostConfig must be an object")
    hc = {**HOSTCONFIG_DEFAULTS, **{k: v for k, v in given.items() if v is not None}}
    if hc["NetworkMode"] in ("", "default"):
        hc["NetworkMode"] = "bridge"
    # user-defined network names are resolved by the Networks collaborator (check_create)
    if not hc.get("ShmSize"):
        hc["ShmSize"] = 64 << 20
    if not hc.get("LogConfig", {}).get("Type"):
        hc["LogConfig"] = {"Type": "json-file", "Config": hc.get("LogConfig", {}).get("Config")
                           or {}}
    _check_resources(hc)
    _check_restart(hc)
    if hc["LogConfig"]["Type"] not in LOG_DRIVERS:
        raise InvalidArgument(f"logger: no log driver named '{hc['LogConfig']['Type']}' "
                              "is registered")
    return hc


def _check_resources(hc: dict[str, Any]) -> None:
    mem, swap = hc.get("Memory") or 0, hc.get("MemorySwap") or 0
    if mem and mem < 6 << 20:
        raise InvalidArgument("Minimum memory limit allowed is 6MB")
    if mem and swap > 0 and swap < mem:
        raise InvalidArgument("Minimum memoryswap limit should be larger than memory limit, "
                              "see usage")
    if swap and not mem and swap != -1:
        raise InvalidArgument("You should always set the Memory limit when using Memoryswap "
                              "limit, see usage")
    if mem and not swap:
        hc["MemorySwap"] = mem * 2
    sw = hc.get("MemorySwappiness")
    if sw is not None and sw != -1 and not 0 <= sw <= 100:
        raise InvalidArgument(f"Invalid value: {sw}, valid memory swappiness range is 0-100")
    if hc.get("NanoCpus"):
        if hc.get("CpuQuota") or hc.get("CpuPeriod"):
            raise InvalidArgument("Conflicting options: Nano CPUs and CPU Period cannot both "
                                  "be set" if hc.get("CpuPeriod") else
                                  "Conflicting options: Nano CPUs and CPU Quota cannot both "
                                  "be set")
        ncpu = os.cpu_count() or 1
        if not 10_000_000 <= hc["NanoCpus"] <= ncpu * 1_000_000_000:
            raise InvalidArgument(f"Range of CPUs is from 0.01 to {ncpu}.00, as there are only "
                                  f"{ncpu} CPUs available")
    if (hc.get("ShmSize") or 0) < 0:
        raise InvalidArgument("SHM size can not be less than 0")
    adj = hc.get("OomScoreAdj") or 0
    if not -1000 <= adj <= 1000:
        raise InvalidArgument(f"Invalid value {adj}, range for oom score adj is [-1000, 1000]")
    bw = hc.get("BlkioWeight") or 0
    if bw and not 10 <= bw <= 1000:
        raise InvalidArgument("Range of blkio weight is from 10 to 1000")


def _check_restart(hc: dict[str, Any]) -> None:
    rp = hc.get("RestartPolicy") or {}
    name, count = rp.get("Name") or "no", rp.get("MaximumRetryCount") or 0
    if name not in RESTART_NAMES:
        raise InvalidArgument(f"invalid restart policy: unknown policy '{name}'; use one of "
                              "'no', 'always', 'on-failure', or 'unless-stopped'")
    if count < 0:
        raise InvalidArgument("invalid restart policy: maximum retry count cannot be negative")
    if count and name != "on-failure":
        raise InvalidArgument("invalid restart policy: maximum retry count can only be used "
                              "with 'on-failure'")
    hc["RestartPolicy"] = {"Name": name, "MaximumRetryCount": count}
    if hc.get("AutoRemove") and name != "no":
        raise InvalidArgument("can't create 'AutoRemove' container with restart policy")


def new_record(cid: str, name: str, image_id: str, cfg: dict[str, Any], hc: dict[str, Any],
               ctr_dir: str, driver: str) -> dict[str, Any]:
    path, args = proc.path_and_args(cfg.get("Entrypoint"), cfg.get("Cmd"))
    log_type = hc["LogConfig"]["Type"]
    log_path = {"json-file": f"{ctr_dir}/{cid}-json.log",
                "local": f"{ctr_dir}/local-logs/container.log"}.get(log_type, "")
    return {
        "ID": cid, "Created": now_rfc3339(), "Path": path, "Args": args, "Config": cfg,
        "HostConfig": hc, "State": new_state(), "Image": image_id, "Name": name,
        "RestartCount": 0, "Driver": driver, "Platform": "linux", "MountLabel": "",
        "ProcessLabel": "", "AppArmorProfile": "", "ExecIDs": None, "LogPath": log_path,
        "ResolvConfPath": f"{ctr_dir}/resolv.conf", "HostnamePath": f"{ctr_dir}/hostname",
        "HostsPath": f"{ctr_dir}/hosts", "HasBeenStartedBefore": False,
        "HasBeenManuallyStopped": False, "SnapshotKey": f"container-{cid}",
        "NetworkingConfig": None,
    }
