"""Build the ``POST /containers/create`` body exactly as the docker CLI does.

Key order, ``null`` vs ``[]`` vs ``{}``, and which keys are omitted follow docker's
``container.Config`` / ``HostConfig`` JSON (Go struct order, ``omitempty``), checked
byte for byte against bodies the real CLI sends (tests/unit/cli/test_create_body.py).
"""

from __future__ import annotations

import os

from berth.cli.commands import convert as cv
from berth.cli.commands import mountflag, runnet
from berth.cli.commands.ports import parse_publish

TYPE_CHECKING = False  # typing and json stay off the CLI's start-up
if TYPE_CHECKING:
    from typing import Any


def _caps(caps: tuple[str, ...]) -> list[str] | None:
    """opts.NormalizeCapabilities: upper-case, ``CAP_`` prefix, ``ALL`` kept."""
    if not caps:
        return None
    out = []
    for c in caps:
        c = c.strip().upper()
        out.append(c if c == "ALL" or c.startswith("CAP_") else "CAP_" + c)
    return out


def _security_opts(opts: tuple[str, ...]) -> list[str] | None:
    """``seccomp=FILE`` is replaced by the file's compacted JSON, as docker does."""
    if not opts:
        return None
    import json

    out = []
    for o in opts:
        key, sep, val = o.partition("=")
        if not sep:
            key, sep, val = o.partition(":")
        if key == "seccomp" and sep and val != "unconfined":
            try:
                with open(val, "rb") as f:
                    doc = json.loads(f.read())
            except OSError as exc:
                raise cv.CLIError(f"opening seccomp profile ({val}) failed: open {val}: "
                                  f"{(exc.strerror or '').lower()}", 125) from None
            o = "seccomp=" + json.dumps(doc, separators=(",", ":"))
        out.append(o)
    return out


def _device(spec: str) -> dict[str, str]:
    parts = spec.split(":")
    perms = "rwm"
    if len(parts) == 3:
        host, ctr, perms = parts
    elif len(parts) == 2:
        host, ctr = parts
        if ctr and not ctr.startswith("/") and set(ctr) <= set("rwm"):
            ctr, perms = host, ctr
    else:
        host = ctr = parts[0]
    return {"PathOnHost": host, "PathInContainer": ctr or host, "CgroupPermissions": perms}


def _conv(fn: Any, value: str | None, flag: str, default: Any = 0) -> Any:
    if value is None:
        return default
    try:
        return fn(value)
    except cv.BadValue as exc:
        raise cv.invalid(value, flag, str(exc)) from None


def _health(o: dict[str, Any]) -> dict[str, Any] | None:
    if o["no_healthcheck"]:
        return {"Test": ["NONE"]}
    hc: dict[str, Any] = {}
    if o["health_cmd"]:
        hc["Test"] = ["CMD-SHELL", o["health_cmd"]]
    for key, flag in (("Interval", "interval"), ("Timeout", "timeout"),
                      ("StartPeriod", "start_period"), ("StartInterval", "start_interval")):
        v = _conv(cv.duration_ns, o[f"health_{flag}"], f"--health-{flag.replace('_', '-')}")
        if v:
            hc[key] = v
    retries = _conv(cv.integer, o["health_retries"], "--health-retries")
    if retries:
        hc["Retries"] = retries
    return hc or None


def build(o: dict[str, Any], image: str, cmd: list[str], console: tuple[int, int] = (0, 0),
          run: bool = True) -> dict[str, Any]:
    """The create body for parsed run/create options ``o`` (click's parameter dict)."""
    attach = [a.lower() for a in o["attach"]]
    detach = bool(o.get("detach"))
    if attach:
        a_in, a_out, a_err = "stdin" in attach, "stdout" in attach, "stderr" in attach
    elif detach:
        a_in = a_out = a_err = False
    else:
        a_in, a_out, a_err = o["interactive"], True, True
    env = [e for f in o["env_file"] for e in cv.read_kv_file(f, True)]
    env += [cv.env_value(e) for e in o["env"]]
    labels = cv.kv_map([x for f in o["label_file"] for x in cv.read_kv_file(f, False)])
    labels = dict(sorted({**labels, **cv.kv_map(o["label"])}.items()))
    exposed, bindings = parse_publish(o["publish"], o["expose"])
    binds: list[str] = []
    volumes: dict[str, Any] = {}
    for v in o["volume"]:
        if ":" in v:
            host, _, rest = v.partition(":")
            if host == "." or host.startswith("./"):  # docker makes ./x absolute
                host = os.path.abspath(host)
            binds.append(f"{host}:{rest}")
        else:
            volumes[v] = {}
    net, networking = runnet.networking(o)
    cfg: dict[str, Any] = {
        "Hostname": o["hostname"] or "", "Domainname": o["domainname"] or "",
        "User": o["user"] or "", "AttachStdin": a_in, "AttachStdout": a_out,
        "AttachStderr": a_err}
    if exposed:
        cfg["ExposedPorts"] = exposed
    cfg.update({"Tty": o["tty"], "OpenStdin": o["interactive"],
                "StdinOnce": o["interactive"] and not detach and (a_in or not attach),
                "Env": env or None, "Cmd": cmd or None})
    hc = _health(o)
    if hc:
        cfg["Healthcheck"] = hc
    cfg.update({"Image": image, "Volumes": dict(sorted(volumes.items())),
                "WorkingDir": o["workdir"] or "",
                "Entrypoint": None if o["entrypoint"] is None else [o["entrypoint"]],
                "OnBuild": None, "Labels": labels})
    if o["stop_signal"]:
        cfg["StopSignal"] = o["stop_signal"]
    if o["stop_timeout"] is not None:
        cfg["StopTimeout"] = _conv(cv.integer, o["stop_timeout"], "--stop-timeout")
    cfg["HostConfig"] = _host_config(o, binds, bindings, net, console)
    cfg["NetworkingConfig"] = networking
    return cfg


def _host_config(o: dict[str, Any], binds: list[str], bindings: dict[str, Any], net: str,
                 console: tuple[int, int]) -> dict[str, Any]:
    mem = _conv(cv.ram_in_bytes, o["memory"], "-m, --memory")
    swap = -1 if o["memory_swap"] == "-1" else _conv(cv.ram_in_bytes, o["memory_swap"],
                                                      "--memory-swap")
    hc: dict[str, Any] = {
        "Binds": binds or None, "ContainerIDFile": o["cidfile"] or "",
        "LogConfig": {"Type": o["log_driver"] or "", "Config": cv.kv_map(o["log_opt"])},
        "NetworkMode": net, "PortBindings": bindings,
        "RestartPolicy": _conv(cv.restart_policy, o["restart"] or "", "--restart"),
        "AutoRemove": o["rm"], "VolumeDriver": o.get("volume_driver") or "",
        "VolumesFrom": list(o["volumes_from"]) or None,
        "ConsoleSize": list(console), "CapAdd": _caps(o["cap_add"]),
        "CapDrop": _caps(o["cap_drop"]), "CgroupnsMode": o["cgroupns"] or "",
        "Dns": list(o["dns"]), "DnsOptions": list(o["dns_option"]),
        "DnsSearch": list(o["dns_search"]), "ExtraHosts": list(o["add_host"]) or None,
        "GroupAdd": list(o["group_add"]) or None, "IpcMode": o["ipc"] or "", "Cgroup": "",
        "Links": list(o["link"]) or None,
        "OomScoreAdj": _conv(cv.integer, o["oom_score_adj"], "--oom-score-adj"),
        "PidMode": o["pid"] or "", "Privileged": o["privileged"],
        "PublishAllPorts": o["publish_all"], "ReadonlyRootfs": o["read_only"],
        "SecurityOpt": _security_opts(o["security_opt"])}
    if o["tmpfs"]:
        hc["Tmpfs"] = dict(sorted((t.partition(":")[0], t.partition(":")[2])
                                  for t in o["tmpfs"]))
    hc.update({"UTSMode": o["uts"] or "", "UsernsMode": o["userns"] or "",
               "ShmSize": _conv(cv.ram_in_bytes, o["shm_size"], "--shm-size")})
    if o["sysctl"]:
        hc["Sysctls"] = cv.kv_map(o["sysctl"])
    hc.update({
        "Isolation": "", "CpuShares": _conv(cv.integer, o["cpu_shares"], "-c, --cpu-shares"),
        "Memory": mem, "NanoCpus": _conv(cv.nano_cpus, o["cpus"], "--cpus"),
        "CgroupParent": "", "BlkioWeight": _conv(cv.integer, o["blkio_weight"], "--blkio-weight"),
        "BlkioWeightDevice": [], "BlkioDeviceReadBps": [], "BlkioDeviceWriteBps": [],
        "BlkioDeviceReadIOps": [], "BlkioDeviceWriteIOps": [],
        "CpuPeriod": _conv(cv.integer, o["cpu_period"], "--cpu-period"),
        "CpuQuota": _conv(cv.integer, o["cpu_quota"], "--cpu-quota"),
        "CpuRealtimePeriod": 0, "CpuRealtimeRuntime": 0,
        "CpusetCpus": o["cpuset_cpus"] or "", "CpusetMems": o["cpuset_mems"] or "",
        "Devices": [_device(d) for d in o["device"]], "DeviceCgroupRules": None,
        "DeviceRequests": None,
        "MemoryReservation": _conv(cv.ram_in_bytes, o["memory_reservation"],
                                   "--memory-reservation"),
        "MemorySwap": swap,
        "MemorySwappiness": _conv(cv.integer, o["memory_swappiness"], "--memory-swappiness",
                                  -1),
        "OomKillDisable": o["oom_kill_disable"],
        "PidsLimit": _conv(cv.integer, o["pids_limit"], "--pids-limit"),
        "Ulimits": [_conv(cv.ulimit, u, "--ulimit") for u in o["ulimit"]],
        "CpuCount": 0, "CpuPercent": 0, "IOMaximumIOps": 0, "IOMaximumBandwidth": 0})
    if o.get("mount"):
        hc["Mounts"] = [_conv(mountflag.parse, m, "--mount") for m in o["mount"]]
    hc.update({"MaskedPaths": None, "ReadonlyPaths": None})
    if o["init"]:
        hc["Init"] = True
    return hc
