"""Address management as docker's default IPAM does it: subnets from pools (or given),
the gateway and aux addresses reserved, endpoint addresses handed out sequentially after
the last one given (wrapping), so a just-freed address is not reused at once.

An address is taken exactly while its ``addrs`` row exists; rows are written in the same
transaction that records their owner, so nothing is handed out twice, also across
restarts (store.py).
"""

from __future__ import annotations

import ipaddress
import sqlite3
from collections.abc import Iterable
from typing import Any

from berth import errdefs

Net = ipaddress.IPv4Network | ipaddress.IPv6Network
Addr = ipaddress.IPv4Address | ipaddress.IPv6Address
OVERLAP = "invalid pool request: Pool overlaps with other one on this address space"


def _net(text: str, what: str) -> Net:
    try:
        net = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise errdefs.InvalidArgument(f"invalid {what} {text}: invalid CIDR address: "
                                      f"{text}") from None
    if str(net) != text and what == "subnet" and "/" in text:
        raise errdefs.InvalidArgument(f"invalid subnet {text}: it should be {net}")
    return net


def _addr(text: str, what: str) -> Addr:
    try:
        return ipaddress.ip_address(text.split("/")[0])
    except ValueError:
        raise errdefs.InvalidArgument(f"invalid {what} address {text}") from None


def check_configs(configs: list[dict[str, Any]], taken: Iterable[Net]) -> list[dict[str, Any]]:
    """Validate user IPAM.Config entries (docker's messages); the normalised entries."""
    out, seen = [], list(taken)
    for cfg in configs:
        sub = _net(cfg.get("Subnet") or "", "subnet")
        if any(sub.version == t.version and sub.overlaps(t) for t in seen):
            raise errdefs.PermissionDenied(OVERLAP)
        seen.append(sub)
        entry: dict[str, Any] = {"Subnet": str(sub)}
        if cfg.get("IPRange"):
            rng = _net(cfg["IPRange"], "ip-range")
            if rng.version != sub.version or not rng.subnet_of(sub):  # type: ignore[arg-type]
                raise errdefs.InvalidArgument(
                    f"invalid ip-range {cfg['IPRange']}: it should be within subnet {sub}")
            entry["IPRange"] = str(rng)
        gw = cfg.get("Gateway")
        if gw and _addr(gw, "gateway") not in sub:
            raise errdefs.InvalidArgument(f"no matching subnet for gateway {gw}")
        entry["Gateway"] = str(_addr(gw, "gateway")) if gw else str(first_host(sub))
        aux = cfg.get("AuxiliaryAddresses") or cfg.get("AuxAddresses") or {}
        for _name, ip in aux.items():
            if _addr(ip, "aux-address") not in sub:
                raise errdefs.InvalidArgument(f"no matching subnet for aux-address {ip}")
        if aux:
            entry["AuxiliaryAddresses"] = dict(aux)
        out.append(entry)
    return out


def first_host(sub: Net) -> Addr:
    return sub.network_address + 1 if sub.num_addresses > 2 else sub.network_address


def auto_subnet(pools: list[dict[str, Any]], taken: Iterable[Net], version: int) -> Net:
    """The first pool subnet that overlaps nothing taken (networks, host routes)."""
    taken = [t for t in taken if t.version == version]
    for pool in pools:
        base = ipaddress.ip_network(pool["base"], strict=False)
        if base.version != version:
            continue
        size = int(pool.get("size") or base.prefixlen)
        for cand in base.subnets(new_prefix=max(size, base.prefixlen)):
            if not any(cand.overlaps(t) for t in taken):
                return cand
    fam = "IPv4" if version == 4 else "IPv6"
    raise errdefs.PermissionDenied(f"could not find an available, non-overlapping {fam} "
                                   "address pool among the defaults to assign to the network")


def reserve_static(db: sqlite3.Connection, nid: str, cfg: dict[str, Any]) -> None:
    """Gateway and aux addresses of a new network become taken."""
    rows = [(cfg["Gateway"], "gateway")]
    rows += [(ip, f"aux:{n}") for n, ip in (cfg.get("AuxiliaryAddresses") or {}).items()]
    for ip, owner in rows:
        db.execute("INSERT OR IGNORE INTO addrs VALUES (?, ?, ?)", (nid, ip, owner))


def allocate(db: sqlite3.Connection, net: dict[str, Any], owner: str, version: int,
             want: str = "", prefer: str = "") -> tuple[str, dict[str, Any]] | None:
    """An address of ``version`` for ``owner`` (and its IPAM config); ``want`` must be
    had, ``prefer`` is tried first. None when the network has no such subnet."""
    cfgs = [c for c in net["IPAM"]["Config"]
            if ipaddress.ip_network(c["Subnet"]).version == version]
    if not cfgs:
        if want:
            raise errdefs.InvalidArgument(
                f"invalid endpoint settings:\nno configured subnet or ip-range contain the "
                f"IP address {want}")
        return None
    nid = net["Id"]
    taken = {a for (a,) in db.execute("SELECT addr FROM addrs WHERE network_id = ?", (nid,))}
    if want:
        ip = _addr(want, "IP")
        for cfg in cfgs:
            if ip in _range(cfg) and _usable(ip, cfg):
                if str(ip) in taken:
                    raise errdefs.Conflict("Address already in use")
                return _take(db, nid, owner, str(ip), version), cfg
        raise errdefs.InvalidArgument(
            f"invalid endpoint settings:\nno configured subnet or ip-range contain the IP "
            f"address {want}")
    if prefer and prefer not in taken:
        for cfg in cfgs:
            ip = ipaddress.ip_address(prefer)
            if ip.version == version and ip in _range(cfg) and _usable(ip, cfg):
                return _take(db, nid, owner, prefer, version), cfg
    row = db.execute("SELECT last FROM cursors WHERE network_id = ? AND family = ?",
                     (nid, version)).fetchone()
    last = ipaddress.ip_address(row[0]) if row else None
    for cfg in cfgs:
        free = _next_free(cfg, taken, last)
        if free is not None:
            return _take(db, nid, owner, str(free), version), cfg
    fam = "IPv4" if version == 4 else "IPv6"
    raise errdefs.Unavailable(f"no available {fam} addresses on this network's address "
                              f"pools: {net['Name']} ({nid})")


def release(db: sqlite3.Connection, nid: str, addrs: Iterable[str]) -> None:
    for a in addrs:
        if a:
            db.execute("DELETE FROM addrs WHERE network_id = ? AND addr = ?", (nid, a))


def _range(cfg: dict[str, Any]) -> Net:
    return ipaddress.ip_network(cfg.get("IPRange") or cfg["Subnet"])


def _usable(ip: Addr, cfg: dict[str, Any]) -> bool:
    sub = ipaddress.ip_network(cfg["Subnet"])
    if sub.num_addresses <= 2:
        return True
    bcast = sub.broadcast_address if sub.version == 4 else None
    return ip != sub.network_address and ip != bcast


def _take(db: sqlite3.Connection, nid: str, owner: str, ip: str, version: int) -> str:
    db.execute("INSERT INTO addrs VALUES (?, ?, ?)", (nid, ip, owner))
    db.execute("INSERT OR REPLACE INTO cursors VALUES (?, ?, ?)", (nid, version, ip))
    return ip


def _next_free(cfg: dict[str, Any], taken: set[str], last: Addr | None) -> Addr | None:
    """Sequential after ``last`` within the range, wrapping; bounded by len(taken): any
    window of len(taken)+1 consecutive addresses holds a free one."""
    rng = _range(cfg)
    size = rng.num_addresses
    start = int(last) - int(rng.network_address) + 1 if last is not None and last in rng \
        else 0
    for i in range(min(size, len(taken) + 3)):
        ip = rng.network_address + (start + i) % size
        if str(ip) not in taken and _usable(ip, cfg):
            return ip
    return None
