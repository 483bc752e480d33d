"""berth's nftables ruleset as libnftables JSON, built whole from the DB (pure; tested
as data). One batch replaces the tables atomically: add (so delete cannot fail) →
delete → add → chains and rules.

Per table (``ip berth``, ``ip6 berth``):
- forward (filter): a bridge network reaches no other berth bridge (isolation);
  ``--internal`` networks reach nothing beyond their bridge.
- prerouting/output (nat): traffic for a local address goes to ``ports``: DNAT of each
  published port (output covers locally generated traffic, 127.0.0.1 included); DNATed
  traffic passes the isolation (not the ``--internal``) drops.
- postrouting (nat): masquerade a network's subnet leaving by another interface; DNATed
  traffic going back out the bridge it came from (hairpin), and loopback-sourced traffic
  DNATed onto a bridge (route_localnet), get the bridge's address as source.

``bridge berth`` (only while a network has ``enable_icc=false``): frames bridged between
two of berth's veths (``vb*``) to an address of such a network are dropped, except the
legacy ``--link`` pairs: linking container → target's exposed ports, and the replies
(docker's per-link accepts). Bridge-family rules see frames switched inside the bridge,
which the ip tables never do; traffic to the gateway or DNATed through the host is
routed, not bridged, and stays open (published ports work under icc=false as in docker).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

TABLE = "berth"
COMMENT = "berth"


@dataclass
class NetRules:
    bridge: str
    subnets: list[str] = field(default_factory=list)
    internal: bool = False
    masquerade: bool = True


@dataclass
class PortRule:
    proto: str  # tcp|udp|sctp
    host_ip: str  # "" or 0.0.0.0/:: = any
    host_port: int
    ctr_ip: str
    ctr_port: int


@dataclass
class LinkRule:
    """``src`` may open ``proto``/``port`` on ``dst`` (a legacy link under icc=false)."""

    src: str
    dst: str
    proto: str
    port: int


@dataclass
class IccOff:
    """A network with ``enable_icc=false``: its subnets and the links that pierce it."""

    subnets: list[str]
    links: list[LinkRule] = field(default_factory=list)


def _m(left: Any, right: Any, op: str = "==") -> dict[str, Any]:
    return {"match": {"op": op, "left": left, "right": right}}


def _meta(key: str) -> dict[str, Any]:
    return {"meta": {"key": key}}


def _pl(proto: str, fld: str) -> dict[str, Any]:
    return {"payload": {"protocol": proto, "field": fld}}


def _prefix(net: str) -> dict[str, Any]:
    n = ipaddress.ip_network(net)
    return {"prefix": {"addr": str(n.network_address), "len": n.prefixlen}}


def _set(names: list[str]) -> Any:
    return {"set": names} if len(names) > 1 else names[0]


def _local() -> dict[str, Any]:
    return _m({"fib": {"flags": ["daddr"], "result": "type"}}, "local")


def table_batch(family: str, nets: list[NetRules], ports: list[PortRule],
                table: str = TABLE) -> list[dict[str, Any]]:
    """The commands that replace table ``family table`` with this state."""
    ipf = "ip" if family == "ip" else "ip6"
    ver = 4 if family == "ip" else 6
    t = {"family": family, "name": table}
    out: list[dict[str, Any]] = [{"add": {"table": t}}, {"delete": {"table": t}},
                                 {"add": {"table": t}}]

    def chain(name: str, kind: str | None = None, hook: str = "", prio: int = 0) -> None:
        c: dict[str, Any] = {"family": family, "table": table, "name": name}
        if kind:
            c.update(type=kind, hook=hook, prio=prio, policy="accept")
        out.append({"add": {"chain": c}})

    def rule(ch: str, *expr: dict[str, Any]) -> None:
        out.append({"add": {"rule": {"family": family, "table": table, "chain": ch,
                                     "expr": list(expr)}}})

    chain("forward", "filter", "forward", 0)
    chain("prerouting", "nat", "prerouting", -100)
    chain("output", "nat", "output", -100)
    chain("postrouting", "nat", "postrouting", 100)
    chain("ports")
    bridges = sorted(n.bridge for n in nets)
    iif, oif = _meta("iifname"), _meta("oifname")
    for n in nets:
        if n.internal:
            rule("forward", _m(iif, n.bridge), _m(oif, n.bridge, "!="), {"drop": None})
            rule("forward", _m(oif, n.bridge), _m(iif, n.bridge, "!="), {"drop": None})
    # published ports are reachable from every network (docker's proxy allowed it too)
    rule("forward", _m({"ct": {"key": "status"}}, "dnat", "in"), {"accept": None})
    for n in nets:
        subs = [s for s in n.subnets if ipaddress.ip_network(s).version == ver]
        others = [b for b in bridges if b != n.bridge]
        if others:
            rule("forward", _m(iif, n.bridge), _m(oif, _set(others)), {"drop": None})
        for sub in subs:
            if n.masquerade and not n.internal:
                rule("postrouting", _m(_pl(ipf, "saddr"), _prefix(sub)),
                     _m(oif, n.bridge, "!="), {"masquerade": None})
            # hairpin (iifname is unset in postrouting: match the bridge's own subnet)
            rule("postrouting", _m(oif, n.bridge), _m(_pl(ipf, "saddr"), _prefix(sub)),
                 _m({"ct": {"key": "status"}}, "dnat", "in"), {"masquerade": None})
        if ver == 4:
            rule("postrouting", _m(oif, n.bridge), _m(_pl("ip", "saddr"),
                 _prefix("127.0.0.0/8")), {"masquerade": None})
    rule("prerouting", _local(), {"jump": {"target": "ports"}})
    rule("output", _local(), {"jump": {"target": "ports"}})
    for p in ports:
        if ipaddress.ip_address(p.ctr_ip).version != ver:
            continue
        expr = []
        if p.host_ip and not ipaddress.ip_address(p.host_ip).is_unspecified:
            if ipaddress.ip_address(p.host_ip).version != ver:
                continue
            expr.append(_m(_pl(ipf, "daddr"), p.host_ip))
        expr.append(_m(_pl(p.proto, "dport"), p.host_port))
        expr.append({"dnat": {"addr": p.ctr_ip, "port": p.ctr_port}})
        rule("ports", *expr)
    return out


def bridge_batch(nets: list[IccOff], table: str = TABLE,
                 keep: bool = True) -> list[dict[str, Any]]:
    """The commands that replace ``bridge table``; with no ``nets`` (or not ``keep``)
    they only remove it."""
    t = {"family": "bridge", "name": table}
    out: list[dict[str, Any]] = [{"add": {"table": t}}, {"delete": {"table": t}}]
    if not nets or not keep:
        return out
    out.append({"add": {"table": t}})
    out.append({"add": {"chain": {"family": "bridge", "table": table, "name": "forward",
                                  "type": "filter", "hook": "forward", "prio": 0,
                                  "policy": "accept"}}})

    def rule(*expr: dict[str, Any]) -> None:
        out.append({"add": {"rule": {"family": "bridge", "table": table, "chain": "forward",
                                     "expr": list(expr)}}})

    ports = [_m(_meta("iifname"), "vb*"), _m(_meta("oifname"), "vb*")]
    for n in nets:
        for lk in n.links:
            ipf = "ip6" if ":" in lk.src else "ip"
            rule(*ports, _m(_pl(ipf, "saddr"), lk.src), _m(_pl(ipf, "daddr"), lk.dst),
                 _m(_pl(lk.proto, "dport"), lk.port), {"accept": None})
            rule(*ports, _m(_pl(ipf, "saddr"), lk.dst), _m(_pl(ipf, "daddr"), lk.src),
                 _m(_pl(lk.proto, "sport"), lk.port), {"accept": None})
    for n in nets:
        for sub in n.subnets:
            ipf = "ip6" if ipaddress.ip_network(sub).version == 6 else "ip"
            rule(*ports, _m(_pl(ipf, "daddr"), _prefix(sub)), {"drop": None})
    return out


def forward_accepts(family: str, bridges: list[str],
                    comment: str = COMMENT) -> list[dict[str, Any]]:
    """Rules for an existing ``filter FORWARD`` chain (Docker's, policy DROP) that let
    berth's bridges through; each carries the comment that finds it again."""
    out = []
    for br in sorted(bridges):
        for key in ("iifname", "oifname"):
            out.append({"insert": {"rule": {
                "family": family, "table": "filter", "chain": "FORWARD", "comment": comment,
                "expr": [_m(_meta(key), br), {"accept": None}]}}})
    return out
