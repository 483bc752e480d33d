"""Bridges, veths and nftables for real, inside a throwaway host namespace: containers
on one network reach each other, other networks and the outside per docker's rules."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from nettest_util import link_names, nft, reach, serving, wire_remote

from berth.network import EndpointSpec, NetworkService

pytestmark = pytest.mark.root


def test_join_leave_and_same_network(svc: NetworkService, hostns: str) -> None:
    svc.create_network({"Name": "n1"})
    ns1, ns2 = svc.sandbox("c1"), svc.sandbox("c2")
    a = svc.join("c1", "n1", ns1, EndpointSpec(name="a"))
    b = svc.join("c2", "n1", ns2, EndpointSpec(name="b"))
    assert a.host_veth in link_names(hostns) and "eth0" in link_names(ns1)
    with serving(ns2):
        assert reach(ns1, b.ipv4, 80) == f"hello {a.ipv4}"
    svc.leave("c1", "n1")
    svc.leave("c1", "n1")  # idempotent
    assert a.host_veth not in link_names(hostns) and "eth0" not in link_names(ns1)
    assert "table ip berth" in nft(hostns, "list", "tables")


def test_isolation_and_internal(svc: NetworkService, hostns: str,
                                mkns: Callable[[str], str]) -> None:
    remote = mkns("remote")
    wire_remote(hostns, remote)
    svc.create_network({"Name": "n1"})
    svc.create_network({"Name": "n2"})
    svc.create_network({"Name": "inner", "Internal": True})
    a = svc.join("c1", "n1", svc.sandbox("c1"), EndpointSpec(name="a"))
    b = svc.join("c2", "n2", svc.sandbox("c2"), EndpointSpec(name="b"))
    svc.join("c3", "inner", svc.sandbox("c3"), EndpointSpec(name="c"))
    with serving(svc.sandbox("c2")), serving(remote):
        assert reach(svc.sandbox("c1"), b.ipv4, 80, timeout=0.5) is None  # isolation
        # outbound NAT: the remote host sees the host's address, not the container's
        assert reach(svc.sandbox("c1"), "10.250.0.2", 80) == "hello 10.250.0.1"
        assert reach(svc.sandbox("c3"), "10.250.0.2", 80, timeout=0.5) is None  # internal
    assert a.ipv4


def test_remove_network_cleans_kernel(svc: NetworkService, hostns: str) -> None:
    nid = svc.create_network({"Name": "gone", "Options": {
        "com.docker.network.bridge.name": "br-testgone",
        "com.docker.network.driver.mtu": "1400"}})["Id"]
    assert "br-testgone" in link_names(hostns)
    assert "br-testgone" in nft(hostns, "list", "table", "ip", "berth")
    svc.remove_network(nid)
    assert "br-testgone" not in link_names(hostns)
    assert "br-testgone" not in nft(hostns, "list", "ruleset")
