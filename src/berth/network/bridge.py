"""The bridge driver: a Linux bridge per network, a veth pair per endpoint.

Host-side work runs on one netlink socket opened in the host namespace and kept (a
start costs no socket and no thread for it); the container side is configured through a
socket opened inside its namespace.
"""

from __future__ import annotations

import errno
import ipaddress
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from . import links, netns
from .rtnl import Rtnl
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
        self._nl: Rtnl | None = None
        self._lock = threading.Lock()

    def on_host(self, fn: Callable[[Rtnl], T]) -> T:
        """``fn`` with the host namespace's netlink socket (opened on first use; one
        caller at a time)."""
        with self._lock:
            if self._nl is None:
                self._nl = netns.run_in(self.host_netns, Rtnl)
            return fn(self._nl)

    def close(self) -> None:
        with self._lock:
            if self._nl is not None:
                self._nl.close()
                self._nl = None

    def net_mtu(self, net: dict[str, Any]) -> int:
        return int((net.get("Options") or {}).get(OPT_MTU) or self.mtu)

    def setup(self, net: dict[str, Any]) -> None:
        br = net["_bridge"]
        mtu = self.net_mtu(net)
        self.on_host(lambda nl: links.ensure_bridge(nl, br, gateways(net), mtu))
        # loopback-sourced traffic DNATed to a container must be routable out the bridge
        netns.write_sysctl(f"net/ipv4/conf/{br}/route_localnet", "1", self.host_netns)

    def teardown(self, net: dict[str, Any]) -> None:
        self.on_host(lambda nl: links.delete_link(nl, net["_bridge"]))

    def attach(self, net: dict[str, Any], ep: Endpoint, ns_path: str) -> None:
        # enable_icc=false is enforced by berth's bridge-family table, not by port
        # isolation: isolation cannot be pierced for the ports of a legacy link
        mtu = self.net_mtu(net)
        def plug(nl: Rtnl) -> None:
            br = nl.index(net["_bridge"])
            if br is None:
                raise OSError(errno.ENODEV, f"bridge {net['_bridge']} does not exist")
            links.add_veth(nl, ep.host_veth, br, ns_path, ep.ifname, ep.mac, mtu,
                           isolated=False)

        self.on_host(plug)
        addrs = [(a, p) for a, p in ((ep.ipv4, ep.prefixlen), (ep.ipv6, ep.prefixlen6)) if a]
        gws = [] if net.get("Internal") else [g for g in (ep.gateway, ep.gateway6) if g]
        links.configure_inside(ns_path, ep.ifname, addrs, gws)

    def detach(self, net: dict[str, Any], ep: Endpoint) -> None:
        self.on_host(lambda nl: links.delete_link(nl, ep.host_veth))

    def stale_veths(self, bridges: set[str], owned: set[str]) -> list[str]:
        """``vb*`` links enslaved to one of ``bridges`` that no endpoint owns."""
        def find(nl: Rtnl) -> list[str]:
            all_links = nl.links()
            idx = {i for i, n, _ in all_links if n in bridges}
            return [n for _, n, master in all_links
                    if n.startswith("vb") and master in idx and n not in owned]

        return self.on_host(find)

    def remove_link(self, name: str) -> None:
        self.on_host(lambda nl: links.delete_link(nl, name))

    def host_routes(self) -> list[Any]:
        return self.on_host(links.routes)
