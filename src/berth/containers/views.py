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
    """The ``Mounts`` array from the record's ``MountPoints``, in docker's MountPoint JSON
    (``Name``/``Driver`` omitted when empty; ``--tmpfs`` mounts are not listed)."""
    out = []
    for m in (rec.get("MountPoints") or {}).values():
        row: dict[str, Any] = {"Type": m["Type"]}
        if m.get("Name"):
            row["Name"] = m["Name"]
        row.update(Source=m.get("Source") or "", Destination=m["Destination"])
        if m.get("Driver"):
            row["Driver"] = m["Driver"]
        row.update(Mode=m.get("Mode") or "", RW=bool(m.get("RW")),
                   Propagation=m.get("Propagation") or "")
        out.append(row)
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


def port_list(ports: dict[str, Any] | None) -> list[dict[str, Any]]:
    """List's ``Ports`` from ``NetworkSettings.Ports``: one entry per host binding, or a
    bare ``{PrivatePort, Type}`` for an exposed port nothing is bound to (moby's view)."""
    out: list[dict[str, Any]] = []
    for key, binds in (ports or {}).items():
        num, _, proto = key.partition("/")
        if not num.isdigit():
            continue
        if not binds:
            out.append({"PrivatePort": int(num), "Type": proto or "tcp"})
            continue
        for b in binds:
            entry: dict[str, Any] = {"IP": b.get("HostIp", "")} if b.get("HostIp") else {}
            entry["PrivatePort"] = int(num)
            host = str(b.get("HostPort") or "")
            if host.isdigit() and int(host):
                entry["PublicPort"] = int(host)
            entry["Type"] = proto or "tcp"
            out.append(entry)
    return out


def summary(rec: dict[str, Any], image_name: str, names: list[str], net: dict[str, Any],
            mount_list: list[dict[str, Any]]) -> dict[str, Any]:
    st = rec["State"]
    health = (st.get("Health") or {}).get("Status")
    health_text = {"starting": "health: starting"}.get(health or "", health)
    return {
        "Id": rec["ID"], "Names": names, "Image": image_name, "ImageID": rec["Image"],
        "Command": command(rec), "Created": int(parse_time(rec["Created"])),
        "Ports": port_list(net.get("Ports")), "Labels": rec["Config"].get("Labels") or {},
        "State": st["Status"], "Status": status_text(st, health_text),
        "HostConfig": {"NetworkMode": rec["HostConfig"].get("NetworkMode", "bridge")},
        "NetworkSettings": {"Networks": net["Networks"]},
        "Mounts": mount_list,
    }
