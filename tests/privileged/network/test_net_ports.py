"""Published ports for real: DNAT from loopback and from another host, hairpin, 127.0.0.1
bindings, and a port conflict that leaves nothing behind."""

from __future__ import annotations

import socket
from collections.abc import Callable

import pytest
from nettest_util import link_names, nft, reach, serving, wire_remote

from berth import errdefs
from berth.network import EndpointSpec, NetworkService, netns

pytestmark = pytest.mark.root


def test_publish_reachable(svc: NetworkService, hostns: str,
                           mkns: Callable[[str], str]) -> None:
    remote = mkns("remote")
    wire_remote(hostns, remote)
    ns = svc.sandbox("c1")
    ep = svc.join("c1", "bridge", ns, EndpointSpec(name="a"))
    got = svc.publish("c1", {"80/tcp": [{"HostIp": "", "HostPort": "8080"}],
                             "81/tcp": [{"HostIp": "127.0.0.1", "HostPort": ""}]},
                      {"80/tcp": {}, "81/tcp": {}, "90/udp": {}}, False)
    assert got["80/tcp"] == [{"HostIp": "0.0.0.0", "HostPort": "8080"}]
    assert got["90/udp"] is None
    local_port = int(got["81/tcp"][0]["HostPort"])
    with serving(ns, 80), serving(ns, 81):
        assert reach(hostns, "127.0.0.1", 8080) is not None
        assert reach(remote, "10.250.0.1", 8080) == "hello 10.250.0.2"
        assert reach(ns, ep.gateway, 8080) is not None  # hairpin
        assert reach(hostns, "127.0.0.1", local_port) is not None
        assert reach(remote, "10.250.0.1", local_port, timeout=0.5) is None
    svc.unpublish("c1")
    assert "8080" not in nft(hostns, "list", "table", "ip", "berth")


def test_port_conflict_leaves_nothing(svc: NetworkService, hostns: str) -> None:
    ns1 = svc.sandbox("c1")
    svc.join("c1", "bridge", ns1, EndpointSpec(name="a"))
    svc.publish("c1", {"80/tcp": [{"HostPort": "8080"}]}, {}, False)
    ns2 = svc.sandbox("c2")
    ep2 = svc.join("c2", "bridge", ns2, EndpointSpec(name="b"))
    before = nft(hostns, "list", "table", "ip", "berth")
    with pytest.raises(errdefs.Conflict,
                       match=r"Bind for 0.0.0.0:8080 failed: port is already allocated"):
        svc.publish("c2", {"81/tcp": [{"HostPort": "9090"}], "80/tcp": [{"HostPort": "8080"}]},
                    {}, False)
    assert nft(hostns, "list", "table", "ip", "berth") == before
    assert svc.port_mappings("c2") == []
    # 9090 was released again: something else can bind it now
    s = netns.run_in(hostns, lambda: socket.create_server(("0.0.0.0", 9090)))
    s.close()
    # a port taken by another program is a conflict too
    other = netns.run_in(hostns, lambda: socket.create_server(("0.0.0.0", 7070)))
    try:
        with pytest.raises(errdefs.Conflict, match=r"0\.0\.0\.0:7070 failed"):
            svc.publish("c2", {"80/tcp": [{"HostPort": "7070"}]}, {}, False)
    finally:
        other.close()
    svc.leave("c2", "bridge")
    svc.remove_sandbox("c2")
    assert ep2.host_veth not in link_names(hostns)
