"""Bridges and veth pairs over netlink (``rtnl``; never ip(8)).

The container's end of a veth pair is created directly inside its namespace
(IFLA_NET_NS_FD) under its final name (eth0…), so no rename or move is needed;
a netlink socket opened in that namespace (``netns.run_in``) then sets the addresses and
the default route.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import socket
from typing import Any

from . import netns
from .rtnl import Rtnl, veth_peer

LO = 1  # the loopback device is always index 1 in a namespace


def mac_for(ipv4: str) -> str:
    """docker's MAC: 02:42 followed by the four bytes of the IPv4 address."""
    raw = ipaddress.IPv4Address(ipv4).packed if ipv4 else os.urandom(4)
    return "02:42:" + ":".join(f"{b:02x}" for b in raw)


def index(nl: Rtnl, name: str) -> int | None:
    return nl.index(name)


def ensure_bridge(nl: Rtnl, name: str, addrs: list[tuple[str, int]], mtu: int) -> int:
    """The bridge with exactly these gateway addresses, up; made if missing."""
    idx = nl.index(name)
    if idx is None:
        try:
            nl.add_link(name, "bridge", mtu=mtu)
        except OSError as exc:
            if exc.errno != errno.EEXIST:
                raise
        idx = nl.index(name)
        assert idx is not None
    have = nl.addrs(idx)
    for ip, plen in addrs:
        if (ip, plen) not in have:
            nl.add_addr(idx, ip, plen)
    nl.set_link(idx, up=True)
    return idx


def delete_link(nl: Rtnl, name: str) -> None:
    """Remove a link if present (a veth takes its peer along)."""
    idx = nl.index(name)
    if idx is not None:
        try:
            nl.del_link(idx)
        except OSError as exc:
            if exc.errno != errno.ENODEV:
                raise


def list_names(nl: Rtnl, prefix: str) -> list[str]:
    return [n for _, n, _ in nl.links() if n.startswith(prefix)]


def add_veth(nl: Rtnl, host_name: str, bridge: int, ns_path: str, ifname: str,
             mac: str, mtu: int, isolated: bool) -> None:
    """veth pair: ``host_name`` up on the bridge (hairpin on: a container may reach
    itself through a published port), ``ifname`` inside the namespace with ``mac``"""
    fd = os.open(ns_path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        peer = veth_peer(ifname, fd, mac=mac, mtu=mtu)
        nl.add_link(host_name, "veth", mtu=mtu, master=bridge, up=True, data=peer)
    finally:
        os.close(fd)
    idx = nl.index(host_name)
    assert idx is not None
    nl.brport(idx, hairpin=True, isolated=isolated)


def add_veth_plain(nl: Rtnl, host_name: str, ns_path: str, ifname: str) -> None:
    """A bare veth pair with one end inside the namespace at ``ns_path``."""
    fd = os.open(ns_path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        nl.add_link(host_name, "veth", data=veth_peer(ifname, fd))
    finally:
        os.close(fd)


def configure_inside(ns_path: str, ifname: str, addrs: list[tuple[str, int]],
                     gateways: list[str]) -> None:
    """In the namespace: lo and ``ifname`` up, addresses, default routes via
    ``gateways`` when the namespace has none yet (the first network gives it)."""
    with netns.run_in(ns_path, Rtnl) as nl:
        nl.set_link(LO, up=True)
        idx = nl.index(ifname)
        assert idx is not None
        for ip, plen in addrs:
            nl.add_addr(idx, ip, plen)
        nl.set_link(idx, up=True)
        _default_routes(nl, [(idx, gw) for gw in gateways])


def _default_routes(nl: Rtnl, via: list[tuple[int, str]]) -> None:
    """A default route per family through the first (link index, gateway) of that
    family, unless the namespace has one already."""
    done: set[int] = set()
    for oif, gw in via:
        family = socket.AF_INET6 if ":" in gw else socket.AF_INET
        if family in done or nl.has_default_route(family):
            continue
        nl.add_default_route(gw, oif)
        done.add(family)


def ensure_default_routes(ns_path: str, via: list[tuple[str, str]]) -> None:
    """After a disconnect took the default route along with its veth: route through the
    first remaining (interface, gateway) of each family, as docker moves it."""
    with netns.run_in(ns_path, Rtnl) as nl:
        _default_routes(nl, [(i, gw) for name, gw in via
                             if (i := nl.index(name)) is not None])


def remove_inside(ns_path: str, ifname: str) -> None:
    """Delete ``ifname`` inside the namespace (disconnect from a running container)."""
    with netns.run_in(ns_path, Rtnl) as nl:
        delete_link(nl, ifname)


def lo_up(ns_path: str) -> None:
    with netns.run_in(ns_path, Rtnl) as nl:
        nl.set_link(LO, up=True)


def routes(nl: Rtnl) -> list[Any]:
    """Destinations of the host's non-default routes (automatic subnets avoid them)."""
    out: list[Any] = []
    for family in (socket.AF_INET, socket.AF_INET6):
        for dst, plen, _ in nl.routes(family):
            if dst and plen:
                out.append(ipaddress.ip_network(f"{dst}/{plen}", strict=False))
    return out
