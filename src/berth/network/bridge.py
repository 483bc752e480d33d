"""The bridge driver: a Linux bridge per network, a veth pair per endpoint.

Host-side work runs on a netlink socket opened in the host namespace; the container
side is configured through a socket opened inside its namespace.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any, TypeVar

from pyroute2 import IPRoute

from . import links, netns
from .types import Endpoint

T = TypeVar("T")

OPT_NAME = "com.docker.network.bridge.name"
OPT_ICC = "com.docker.network.bridge.enable_icc"
OPT_MASQ = "com.docker.network.bridge.enable_ip_masquerade"
OPT_MTU = "com.docker.network.driver.mtu"


def gateways(net: dict[str, Any]) -> list[tuple[str, int]]:
    out = []
    for cfg in net["IPAM"]["Config"]:
        sub = ipaddress.ip_network(cfg["Subnet"])
        out.append((cfg["Gateway"], sub.prefixlen))
    return out


class BridgeDriver:
    name = "bridge"

    def __init__(self, host_netns: str | None, mtu: int) -> None:
        self.host_netns, self.mtu = host_netns, mtu

    def on_host(self, fn: Callable[[IPRoute], T]) -> T:
        """``fn`` with a netlink socket of the host namespace. pyroute2 binds its socket
        to the opening thread's namespace and thread, so each call opens one (~1 ms)."""

        def body() -> T:
            with IPRoute() as ipr:
                return fn(ipr)

        return netns.run_in(self.host_netns, body)

    def close(self) -> None:
        return None

    def net_mtu(self, net: dict[str, Any]) -> int:
        return int((net.get("Options") or {}).get(OPT_MTU) or self.mtu)

    def setup(self, net: dict[str, Any]) -> None:
        br = net["_bridge"]
        mtu = self.net_mtu(net)
        self.on_host(lambda ipr: links.ensure_bridge(ipr, br, gateways(net), mtu))
        # loopback-sourced traffic DNATed to a container must be routable out the bridge
        netns.write_sysctl(f"net/ipv4/conf/{br}/route_localnet", "1", self.host_netns)

    def teardown(self, net: dict[str, Any]) -> None:
        self.on_host(lambda ipr: links.delete_link(ipr, net["_bridge"]))

    def attach(self, net: dict[str, Any], ep: Endpoint, ns_path: str) -> None:
        icc = str((net.get("Options") or {}).get(OPT_ICC, "true")).lower() != "false"
        mtu = self.net_mtu(net)
        self.on_host(lambda ipr: links.add_veth(ipr, ep.host_veth, net["_bridge"], ns_path,
                                                ep.ifname, ep.mac, mtu, isolated=not icc))
        addrs = [(a, p) for a, p in ((ep.ipv4, ep.prefixlen), (ep.ipv6, ep.prefixlen6)) if a]
        gws = [] if net.get("Internal") else [g for g in (ep.gateway, ep.gateway6) if g]
        links.configure_inside(ns_path, ep.ifname, addrs, gws)

    def detach(self, net: dict[str, Any], ep: Endpoint) -> None:
        self.on_host(lambda ipr: links.delete_link(ipr, ep.host_veth))

    def stale_veths(self, bridges: set[str], owned: set[str]) -> list[str]:
        """``vb*`` links enslaved to one of ``bridges`` that no endpoint owns."""
        def find(ipr: IPRoute) -> list[str]:
            idx = {links.index(ipr, b) for b in bridges} - {None}
            return [n for link in ipr.get_links()
                    if (n := link.get_attr("IFLA_IFNAME") or "").startswith("vb")
                    and link.get_attr("IFLA_MASTER") in idx and n not in owned]

        return self.on_host(find)

    def remove_link(self, name: str) -> None:
        self.on_host(lambda ipr: links.delete_link(ipr, name))

    def host_routes(self) -> list[Any]:
        return self.on_host(links.routes)
