"""``run``/``create`` network flags → ``HostConfig.NetworkMode`` and ``NetworkingConfig``.

As docker CLI 28 (API ≥ 1.44): every ``--network`` gets an endpoint (the first one is
the NetworkMode); ``--ip``/``--ip6``/``--link-local-ip``/``--network-alias``/
``--mac-address`` and (on a user-defined network) ``--link`` go on the first endpoint;
``--network name=n,alias=a,ip=…`` (the advanced form) sets its own endpoint's fields.
``none``/``host``/``container:x`` have no endpoint. Bad values are refused client-side
with docker's words (status 125).
"""

from __future__ import annotations

from berth.cli.commands.netendpoint import endpoint_settings
from berth.cli.usage import CLIError

TYPE_CHECKING = False  # typing and re stay off the CLI's start-up
if TYPE_CHECKING:
    from typing import Any

_MAC = r"^[0-9A-Fa-f]{2}([:-])(?:[0-9A-Fa-f]{2}\1){4}[0-9A-Fa-f]{2}$"  # re.match's cache
_ADVANCED_KEYS = ("name", "alias", "ip", "ip6", "mac-address", "link-local-ip", "driver-opt",
                  "gw-priority")


def _user_defined(mode: str) -> bool:
    return mode not in ("default", "bridge", "host", "none") and not mode.startswith(
        "container:")


def _advanced(spec: str) -> tuple[str, dict[str, Any]]:
    """``name=n1,alias=a,ip=…`` → (name, endpoint fields); a plain value is just a name."""
    if "=" not in spec:
        return spec, {}
    name = ""
    fields: dict[str, Any] = {"aliases": [], "ipam": {}, "driver_opts": {}}
    for part in spec.split(","):
        key, _, val = part.partition("=")
        key = key.strip().lower()
        if key not in _ADVANCED_KEYS:
            raise CLIError(f"invalid field key {key}", 125)
        if key == "name":
            name = val
        elif key == "alias":
            fields["aliases"].append(val)
        elif key == "ip":
            fields["ipam"]["IPv4Address"] = val
        elif key == "ip6":
            fields["ipam"]["IPv6Address"] = val
        elif key == "link-local-ip":
            fields["ipam"].setdefault("LinkLocalIPs", []).append(val)
        elif key == "mac-address":
            fields["mac"] = val
        elif key == "gw-priority":
            fields["gw_priority"] = int(val) if val.lstrip("-").isdigit() else 0
        else:
            k, sep, v = val.partition("=")
            if not sep:
                raise CLIError(f"invalid key value pair format in driver options: {val}", 125)
            fields["driver_opts"][k] = v
    return name, fields


def _mac_ok(mac: str) -> bool:
    import re

    return re.match(_MAC, mac) is not None


def problem(o: dict[str, Any]) -> str | None:
    """What docker refuses in these flags before sending anything (its message), or None."""
    mac = o.get("mac_address") or ""
    if mac and not _mac_ok(mac):
        return f"{mac} is not a valid mac address"
    try:
        specs = [_advanced(s) for s in o["network"]]
    except CLIError as exc:
        return exc.message
    mode = (specs[0][0] if specs else "") or "default"
    if o.get("network_alias") and not _user_defined(mode):
        return "network-scoped aliases are only supported for user-defined networks"
    return None


def networking(o: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(NetworkMode, NetworkingConfig) for the parsed run/create flags ``o`` (checked
    first with ``problem``)."""
    specs = [_advanced(s) for s in o["network"]] or [("default", {})]
    mode = specs[0][0] or "default"
    mac = o.get("mac_address") or ""
    if mode in ("none", "host") or mode.startswith("container:"):
        return mode, {"EndpointsConfig": {}}
    endpoints: dict[str, Any] = {}
    for i, (name, f) in enumerate(specs):
        ipam = dict(f.get("ipam") or {})
        aliases = list(f.get("aliases") or [])
        links = None
        ep_mac = f.get("mac", "")
        if i == 0:
            for key, flag in (("IPv4Address", "ip"), ("IPv6Address", "ip6")):
                if o.get(flag):
                    ipam[key] = o[flag]
            if o.get("link_local_ip"):
                ipam["LinkLocalIPs"] = list(o["link_local_ip"])
            aliases += list(o.get("network_alias") or ())
            if o.get("link") and _user_defined(name):
                links = list(o["link"])
            ep_mac = ep_mac or mac
        endpoints[name or "default"] = endpoint_settings(
            ipam=ipam or None, links=links, aliases=aliases or None, mac=ep_mac,
            driver_opts=f.get("driver_opts") or None, gw_priority=f.get("gw_priority", 0))
    return mode, {"EndpointsConfig": endpoints}
