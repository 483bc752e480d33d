"""Disconnecting the network that holds a running container's default route moves the
route to a remaining network; published ports by address family (docker's behaviour
with userland-proxy=false); the host end of a veth goes with its sandbox."""

from __future__ import annotations

import socket
from collections.abc import Callable

import pytest
from nettest_util import link_names, nft, nft_json, reach, serving, wait_for

from berth.network import EndpointSpec, NetworkService, netns
from berth.network.rtnl import Rtnl

pytestmark = pytest.mark.root


def default_routes(ns: str, family: int = socket.AF_INET) -> list[tuple[str, str]]:
    """(gateway, interface) of the namespace's default routes."""
    def body() -> list[tuple[str, str]]:
        with Rtnl() as nl:
            names = {i: n for i, n, _ in nl.links()}
            out = []
            for dst, _, attrs in nl.routes(family):
                if dst is None:
                    gw = socket.inet_ntop(family, attrs[5])
                    out.append((gw, names[int.from_bytes(attrs[4], "little")]))
            return out

    return netns.run_in(ns, body)


def test_disconnect_moves_default_route(svc: NetworkService) -> None:
    svc.create_network({"Name": "first"})
    svc.create_network({"Name": "inner", "Internal": True})
    svc.create_network({"Name": "second"})
    ns = svc.sandbox("c1")
    a = svc.join("c1", "first", ns, EndpointSpec(name="a"))
    svc.join("c1", "inner", ns, EndpointSpec(name="a"))
    b = svc.join("c1", "second", ns, EndpointSpec(name="a"))
    assert default_routes(ns) == [(a.gateway, "eth0")]
    svc.leave("c1", "first")
    # the internal network never gets the route; the next one that may does
    assert default_routes(ns) == [(b.gateway, b.ifname)]
    svc.leave("c1", "second")
    assert default_routes(ns) == []


def test_published_port_families(svc: NetworkService, hostns: str) -> None:
    svc.create_network({"Name": "dual", "EnableIPv6": True,
                        "IPAM": {"Config": [{"Subnet": "10.78.0.0/24"},
                                            {"Subnet": "fd00:78::/64"}]}})
    ns6 = svc.sandbox("c6")
    e6 = svc.join("c6", "dual", ns6, EndpointSpec(name="dual"))
    got = svc.publish("c6", {"80/tcp": [{"HostIp": "", "HostPort": "8086"}]}, {}, False)
    assert got["80/tcp"] == [{"HostIp": "0.0.0.0", "HostPort": "8086"},
                             {"HostIp": "::", "HostPort": "8086"}]
    assert f"dnat to [{e6.ipv6}]:80" in nft(hostns, "list", "table", "ip6", "berth")
    # the v6 host port is held: nobody else can take it
    with pytest.raises(OSError):
        netns.run_in(hostns, lambda: socket.create_server(("::", 8086), family=socket.AF_INET6))
    # an IPv6 host address reaches the container's IPv6 address through the kernel
    def add_v6() -> None:
        with Rtnl() as nl:
            nl.add_addr(1, "fd00:99::1", 128)
    netns.run_in(hostns, add_v6)
    with serving(ns6, 80, family=socket.AF_INET6):
        assert wait_for(lambda: reach(hostns, "fd00:99::1", 8086)) == "hello fd00:99::1"
    # an IPv4-only container: [::] is skipped (no socket, no rule), 0.0.0.0 works
    ns4 = svc.sandbox("c4")
    svc.join("c4", "bridge", ns4, EndpointSpec(name="v4"))
    got = svc.publish("c4", {"80/tcp": [{"HostIp": "::", "HostPort": "8087"},
                                        {"HostIp": "", "HostPort": "8088"}]}, {}, False)
    assert got["80/tcp"] == [{"HostIp": "0.0.0.0", "HostPort": "8088"}]
    assert "8087" not in nft(hostns, "list", "ruleset")
    netns.run_in(hostns, lambda: socket.create_server(("::", 8087),
                                                      family=socket.AF_INET6)).close()
    svc.unpublish("c6")
    svc.unpublish("c4")
    assert not [r for r in nft_json(hostns, "list", "chain", "ip6", "berth", "ports")
                if "rule" in r]


def test_veth_goes_with_the_sandbox(svc: NetworkService, hostns: str,
                                    mkns: Callable[[str], str]) -> None:
    ns = svc.sandbox("c1")
    ep = svc.join("c1", "bridge", ns, EndpointSpec(name="a"))
    svc.remove_sandbox("c1")
    svc.leave("c1", "bridge")  # returns at once: the kernel removes the pair
    assert svc.endpoints("c1") == []
    assert wait_for(lambda: ep.host_veth not in link_names(hostns), timeout=10)
