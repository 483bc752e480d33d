"""Bridges and veth pairs over netlink (pyroute2 IPRoute; never ip(8)).

The container's end of a veth pair is created directly inside its namespace
(IFLA_NET_NS_FD) under its final name (eth0…), so no rename or move is needed; a netlink
socket opened in that namespace (``netns.run_in``) then sets addresses, routes and up.
"""

from __future__ import annotations

import errno
import ipaddress
import os
from typing import Any

from pyroute2 import IPRoute
from pyroute2.netlink.exceptions import NetlinkError

from . import netns

IFA_F_NODAD = 0x02


def mac_for(ipv4: str) -> str:
    """docker's MAC: 02:42 followed by the four bytes of the IPv4 address."""
    raw = ipaddress.IPv4Address(ipv4).packed if ipv4 else os.urandom(4)
    return "02:42:" + ":".join(f"{b:02x}" for b in raw)


def index(ipr: IPRoute, name: str) -> int | None:
    found = ipr.link_lookup(ifname=name)
    return found[0] if found else None


def ensure_bridge(ipr: IPRoute, name: str, addrs: list[tuple[str, int]], mtu: int) -> int:
    """The bridge with exactly these gateway addresses, up; made if missing."""
    idx = index(ipr, name)
    if idx is None:
        try:
            ipr.link("add", ifname=name, kind="bridge", mtu=mtu)
        except NetlinkError as exc:
            if exc.code != errno.EEXIST:
                raise
        idx = index(ipr, name)
        assert idx is not None
    have = {(a.get_attr("IFA_ADDRESS"), a["prefixlen"]) for a in ipr.get_addr(index=idx)}
    for ip, plen in addrs:
        if (ip, plen) not in have:
            flags = IFA_F_NODAD if ":" in ip else 0
            ipr.addr("add", index=idx, address=ip, prefixlen=plen, flags=flags)
    ipr.link("set", index=idx, state="up")
    return idx


def delete_link(ipr: IPRoute, name: str) -> None:
    """Remove a link if present (a veth takes its peer along)."""
    idx = index(ipr, name)
    if idx is not None:
        try:
            ipr.link("del", index=idx)
        except NetlinkError as exc:
            if exc.code != errno.ENODEV:
                raise


def list_names(ipr: IPRoute, prefix: str) -> list[str]:
    return [n for n in (link.get_attr("IFLA_IFNAME") for link in ipr.get_links())
            if n and n.startswith(prefix)]


def add_veth(ipr: IPRoute, host_name: str, bridge: str, ns_path: str, ifname: str,
             mac: str, mtu: int, isolated: bool) -> None:
    """veth pair: ``host_name`` on the bridge (hairpin on: a container may reach itself
    through a published port), ``ifname`` inside the namespace with ``mac``."""
    br = index(ipr, bridge)
    if br is None:
        raise OSError(errno.ENODEV, f"bridge {bridge} does not exist")
    fd = os.open(ns_path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        ipr.link("add", ifname=host_name, kind="veth", mtu=mtu,
                 peer={"ifname": ifname, "net_ns_fd": fd, "address": mac, "mtu": mtu})
    finally:
        os.close(fd)
    idx = index(ipr, host_name)
    assert idx is not None
    ipr.link("set", index=idx, master=br, state="up")
    ipr.brport("set", index=idx, mode=1, isolated=1 if isolated else 0)


def add_veth_plain(ipr: IPRoute, host_name: str, ns_path: str, ifname: str) -> None:
    """A bare veth pair with one end inside the namespace at ``ns_path``."""
    fd = os.open(ns_path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        ipr.link("add", ifname=host_name, kind="veth",
                 peer={"ifname": ifname, "net_ns_fd": fd})
    finally:
        os.close(fd)


def configure_inside(ns_path: str, ifname: str, addrs: list[tuple[str, int]],
                     gateways: list[str]) -> None:
    """In the namespace: lo and ``ifname`` up, addresses, default routes via
    ``gateways`` when the namespace has none yet (the first network gives it)."""

    def body() -> None:
        with IPRoute() as ipr:
            lo = index(ipr, "lo")
            if lo is not None:
                ipr.link("set", index=lo, state="up")
            idx = index(ipr, ifname)
            assert idx is not None
            for ip, plen in addrs:
                flags = IFA_F_NODAD if ":" in ip else 0
                ipr.addr("add", index=idx, address=ip, prefixlen=plen, flags=flags)
            ipr.link("set", index=idx, state="up")
            for gw in gateways:
                family = 10 if ":" in gw else 2
                if not ipr.get_default_routes(family=family):
                    dst = "::/0" if family == 10 else "0.0.0.0/0"
                    ipr.route("add", dst=dst, gateway=gw, oif=idx, family=family)

    netns.run_in(ns_path, body)


def remove_inside(ns_path: str, ifname: str) -> None:
    """Delete ``ifname`` inside the namespace (disconnect from a running container)."""

    def body() -> None:
        with IPRoute() as ipr:
            delete_link(ipr, ifname)

    netns.run_in(ns_path, body)


def lo_up(ns_path: str) -> None:
    def body() -> None:
        with IPRoute() as ipr:
            lo = index(ipr, "lo")
            if lo is not None:
                ipr.link("set", index=lo, state="up")

    netns.run_in(ns_path, body)


def routes(ipr: IPRoute) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """Destinations of the host's non-default routes (automatic subnets avoid them)."""
    out: list[Any] = []
    for family in (2, 10):
        for r in ipr.get_routes(family=family, table=254):
            dst, plen = r.get_attr("RTA_DST"), r["dst_len"]
            if dst and plen:
                out.append(ipaddress.ip_network(f"{dst}/{plen}", strict=False))
    return out
