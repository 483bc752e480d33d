"""``network create``'s body, built and checked as docker CLI 28 does it client-side.

The body keeps docker's key order (Go struct order of ``network.CreateRequest``):
``EnableIPv4``/``EnableIPv6`` appear only when the flag was given. IPAM entries pair each
``--ip-range``/``--gateway``/``--aux-address`` with the subnet that contains it; what
does not fit is refused with docker's words before anything is sent.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from berth.cli.usage import CLIError

Net = ipaddress.IPv4Network | ipaddress.IPv6Network


def split_list(values: tuple[str, ...]) -> list[str]:
    """pflag StringSlice: each value is itself comma-separated."""
    return [x for v in values for x in v.split(",") if x != ""]


def kv_map(values: tuple[str, ...]) -> dict[str, str]:
    """opts.MapOpts: ``k=v`` (a bare ``k`` maps to "")."""
    out: dict[str, str] = {}
    for v in values:
        key, _, val = v.partition("=")
        out[key] = val
    return out


def _cidr(s: str) -> Net:
    try:
        return ipaddress.ip_network(s, strict=False)
    except ValueError:
        raise CLIError(f"invalid CIDR address: {s}") from None


def _contains(subnet: str, data: str) -> bool:
    """Whether ``data`` (an address, or a CIDR whose address is taken) lies in ``subnet``."""
    net = _cidr(subnet)
    text = data.partition("/")[0] if "/" in data else data
    if "/" in data:
        _cidr(data)
    try:
        return ipaddress.ip_address(text) in net
    except ValueError:
        return False


def ipam_config(subnets: list[str], ranges: list[str], gateways: list[str],
                aux: dict[str, str]) -> list[dict[str, Any]]:
    """The ``IPAM.Config`` list (createIPAMConfig's rules and messages)."""
    if len(subnets) < len(ranges) or len(subnets) < len(gateways):
        raise CLIError("every ip-range or gateway must have a corresponding subnet")
    entries: dict[str, dict[str, Any]] = {}
    for s in subnets:
        for k in entries:
            if _contains(s, k) or _contains(k, s):
                raise CLIError("multiple overlapping subnet configuration is not supported")
        entries[s] = {"Subnet": s}
    for key, what, values in (("IPRange", "range", ranges), ("Gateway", "gateway", gateways)):
        for v in values:
            if key == "IPRange":
                _cidr(v)
            hits = [s for s in subnets if _contains(s, v)]
            if not hits:
                raise CLIError(f"no matching subnet for {what} {v}")
            for s in hits:
                if key in entries[s]:
                    plural = "ranges" if key == "IPRange" else "gateways"
                    prep = "on" if key == "IPRange" else "for"
                    raise CLIError(f"cannot configure multiple {plural} ({v}, "
                                   f"{entries[s][key]}) {prep} the same subnet ({s})")
                entries[s][key] = v
    for name, addr in aux.items():
        hits = [s for s in subnets if _contains(s, addr)]
        if not hits:
            raise CLIError(f"no matching subnet for aux-address {addr}")
        for s in hits:
            entries[s].setdefault("AuxiliaryAddresses", {})[name] = addr
    return list(entries.values())


def create_body(name: str, o: dict[str, Any]) -> dict[str, Any]:
    """The ``POST /networks/create`` body for parsed flags ``o``."""
    config = ipam_config(split_list(o["subnet"]), split_list(o["ip_range"]),
                         split_list(o["gateway"]), kv_map(o["aux_address"]))
    body: dict[str, Any] = {"Driver": o["driver"], "Scope": o["scope"] or ""}
    for key, flag in (("EnableIPv4", "ipv4"), ("EnableIPv6", "ipv6")):
        if o[flag] is not None:
            body[key] = o[flag]
    labels: dict[str, str] = {}
    for lab in o["label"]:
        key, _, val = lab.partition("=")
        labels[key] = val
    body.update({
        "IPAM": {"Driver": o["ipam_driver"], "Options": kv_map(o["ipam_opt"]),
                 "Config": config},
        "Internal": o["internal"], "Attachable": o["attachable"], "Ingress": o["ingress"],
        "ConfigOnly": o["config_only"],
        "ConfigFrom": {"Network": o["config_from"]} if o["config_from"] else None,
        "Options": kv_map(o["opt"]), "Labels": labels, "Name": name})
    return body
