"""IPAM for real: allocations persist across a restart and are never handed out twice;
docker's errors for overlapping subnets and bad requests leave nothing behind."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from berth import errdefs
from berth.network import EndpointSpec, NetworkService

pytestmark = pytest.mark.root


def test_sequential_and_persistent(mksvc: Callable[[], NetworkService]) -> None:
    svc = mksvc()
    svc.create_network({"Name": "n1", "IPAM": {"Config": [{"Subnet": "10.80.0.0/24"}]}})
    a = svc.join("c1", "n1", svc.sandbox("c1"), EndpointSpec(name="a"))
    b = svc.join("c2", "n1", svc.sandbox("c2"), EndpointSpec(name="b"))
    assert (a.ipv4, b.ipv4, a.gateway) == ("10.80.0.2", "10.80.0.3", "10.80.0.1")
    assert a.mac == "02:42:0a:50:00:02"
    svc.leave("c1", "n1")
    svc.close()
    svc2 = mksvc()  # a restart: the DB is the truth
    c = svc2.join("c3", "n1", svc2.sandbox("c3"), EndpointSpec(name="c"))
    assert c.ipv4 == "10.80.0.4"  # sequential after the last, never the held .3
    with pytest.raises(errdefs.Conflict, match="Address already in use"):
        svc2.join("c4", "n1", svc2.sandbox("c4"), EndpointSpec(name="d", ipv4="10.80.0.3"))
    assert [e.ipv4 for e in svc2.network_endpoints("n1")] == ["10.80.0.3", "10.80.0.4"]
    # a restarted container asks for its previous address first
    again = svc2.join("c1", "n1", svc2.sandbox("c1"), EndpointSpec(name="a"))
    assert again.ipv4 == "10.80.0.2"


def test_overlap_and_bad_input(svc: NetworkService) -> None:
    svc.create_network({"Name": "n1", "IPAM": {"Config": [{"Subnet": "10.81.0.0/16"}]}})
    with pytest.raises(errdefs.PermissionDenied, match="Pool overlaps with other one"):
        svc.create_network({"Name": "n2", "IPAM": {"Config": [{"Subnet": "10.81.5.0/24"}]}})
    with pytest.raises(errdefs.Conflict, match="network with name n1 already exists"):
        svc.create_network({"Name": "n1"})
    with pytest.raises(errdefs.InvalidArgument, match="ip-range"):
        svc.create_network({"Name": "n3", "IPAM": {"Config": [
            {"Subnet": "10.82.0.0/24", "IPRange": "10.83.0.0/25"}]}})
    with pytest.raises(errdefs.InvalidArgument, match="gateway"):
        svc.create_network({"Name": "n3", "IPAM": {"Config": [
            {"Subnet": "10.82.0.0/24", "Gateway": "10.9.9.9"}]}})
    with pytest.raises(errdefs.PermissionDenied, match="pre-defined"):
        svc.remove_network("bridge")
    with pytest.raises(errdefs.NotFound, match="network nope not found"):
        svc.remove_network("nope")
    assert sorted(n["Name"] for n in svc.list_networks({})) == ["bridge", "host", "n1",
                                                                  "none"]
    with pytest.raises(errdefs.InvalidArgument, match="user defined networks only"):
        svc.join("c1", "bridge", svc.sandbox("c1"), EndpointSpec(ipv4="10.76.0.9"))
    with pytest.raises(errdefs.InvalidArgument, match="no configured subnet"):
        svc.join("c1", "n1", svc.sandbox("c1"), EndpointSpec(ipv4="10.99.0.9"))
    assert svc.endpoints("c1") == []


def test_ip_range_aux_gateway_and_filters(svc: NetworkService) -> None:
    svc.create_network({"Name": "r", "Labels": {"team": "a"}, "IPAM": {"Config": [{
        "Subnet": "10.84.0.0/24", "IPRange": "10.84.0.128/25", "Gateway": "10.84.0.254",
        "AuxiliaryAddresses": {"x": "10.84.0.128"}}]}})
    ep = svc.join("c1", "r", svc.sandbox("c1"), EndpointSpec(name="a"))
    assert ep.ipv4 == "10.84.0.129" and ep.gateway == "10.84.0.254"
    got = svc.inspect_network("r")
    assert got["IPAM"]["Config"][0]["IPRange"] == "10.84.0.128/25"
    assert got["Containers"]["c1"]["IPv4Address"] == "10.84.0.129/24"
    assert [n["Name"] for n in svc.list_networks({"label": ["team=a"]})] == ["r"]
    assert [n["Name"] for n in svc.list_networks({"type": ["custom"]})] == ["r"]
    with pytest.raises(errdefs.PermissionDenied, match="has active endpoints"):
        svc.remove_network("r")
    svc.leave("c1", "r")
    assert svc.prune_networks({}) == ["r"]
    assert ("network", "destroy") in svc.events  # type: ignore[attr-defined]
