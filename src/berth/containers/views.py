"""Records → Engine API shapes: ContainerJSON (inspect) and the list summary (``ps``)."""

from __future__ import annotations

import copy
import shlex
from typing import Any

from .state import parse_time, status_text

INSPECT_KEYS = ("Id", "Created", "Path", "Args", "State", "Image", "ResolvConfPath",
                 "HostnamePath", "HostsPath", "LogPath", "Name", "RestartCount", "Driver",
                 "Platform", "MountLabel", "ProcessLabel", "AppArmorProfile", "ExecIDs",
                 "HostConfig", "GraphDriver", "SizeRw", "SizeRootFs", "Mounts", "Config",
                 "NetworkSettings")


def mounts(rec: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``Mounts`` array (binds and tmpfs as docker reports them)."""
    out = []
    hc = rec["HostConfig"]
    for spec in hc.get("Binds") or []:
        parts = spec.split(":")
        opts = parts[2].split(",") if len(parts) > 2 else []
        prop = next((o for o in opts if o.endswith(("shared", "slave", "private"))), "rprivate")
        out.append({"Type": "bind", "Source": parts[0], "Destination": parts[1],
                    "Mode": parts[2] if len(parts) > 2 else "", "RW": "ro" not in opts,
                    "Propagation": prop})
    for dst in hc.get("Tmpfs") or {}:
        out.append({"Type": "tmpfs", "Source": "", "Destination": dst, "Mode": "",
                    "RW": True, "Propagation": ""})
    return out


def network_settings(rec: dict[str, Any]) -> dict[str, Any]:
    mode = rec["HostConfig"].get("NetworkMode") or "bridge"
    endpoint = {"IPAMConfig": None, "Links": None, "Aliases": None, "MacAddress": "",
                "DriverOpts": None, "NetworkID": "", "EndpointID": "", "Gateway": "",
                "IPAddress": "", "IPPrefixLen": 0, "IPv6Gateway": "", "GlobalIPv6Address": "",
                "GlobalIPv6PrefixLen": 0, "DNSNames": None}
    running = rec["State"]["Running"]
    return {"Bridge": "", "SandboxID": "", "SandboxKey": "", "HairpinMode": False,
            "LinkLocalIPv6Address": "", "LinkLocalIPv6PrefixLen": 0, "Ports": {},
            "SecondaryIPAddresses": None, "SecondaryIPv6Addresses": None, "EndpointID": "",
            "Gateway": "", "GlobalIPv6Address": "", "GlobalIPv6PrefixLen": 0,
            "IPAddress": "", "IPPrefixLen": 0, "IPv6Gateway": "", "MacAddress": "",
            "Networks": {mode: endpoint} if running or mode else {}}


def inspect(rec: dict[str, Any], graph: dict[str, Any], net: dict[str, Any],
            mount_list: list[dict[str, Any]]) -> dict[str, Any]:
    """ContainerJSON; ``net`` and ``mount_list`` come from the Networks and Volumes
    services (``NetworkSettings``, ``Mounts``)."""
    out = copy.deepcopy({k: rec.get(k) for k in INSPECT_KEYS if k in rec})
    out["Id"] = rec["ID"]
    out["GraphDriver"] = graph
    out["Mounts"] = copy.deepcopy(mount_list)
    out["NetworkSettings"] = copy.deepcopy(net)
    st: dict[str, Any] = out["State"] or {}
    if "Health" in st and st["Health"] is None:
        del st["Health"]
    return {k: out.get(k) for k in INSPECT_KEYS if k in out}


def command(rec: dict[str, Any]) -> str:
    argv = [rec["Path"], *rec["Args"]]
    return " ".join(shlex.quote(a) if not a or any(c.isspace() for c in a) else a
                    for a in argv)


def summary(rec: dict[str, Any], image_name: str, names: list[str], net: dict[str, Any],
            mount_list: list[dict[str, Any]]) -> dict[str, Any]:
    st = rec["State"]
    health = (st.get("Health") or {}).get("Status")
    health_text = {"starting": "health: starting"}.get(health or "", health)
    return {
        "Id": rec["ID"], "Names": names, "Image": image_name, "ImageID": rec["Image"],
        "Command": command(rec), "Created": int(parse_time(rec["Created"])),
        "Ports": [], "Labels": rec["Config"].get("Labels") or {},
        "State": st["Status"], "Status": status_text(st, health_text),
        "HostConfig": {"NetworkMode": rec["HostConfig"].get("NetworkMode", "bridge")},
        "NetworkSettings": {"Networks": net["Networks"]},
        "Mounts": mount_list,
    }
