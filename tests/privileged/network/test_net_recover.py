"""Crash safety: a service dropped without cleanup (kill -9), then ``recover(live)``
releases dead containers' veths, netns, addresses, ports and rules, and keeps the live."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from nettest_util import link_names, nft, reach, serving

from berth.network import EndpointSpec, NetworkService

pytestmark = pytest.mark.root


def test_recover_after_crash(mksvc: Callable[[], NetworkService], hostns: str) -> None:
    svc = mksvc()
    svc.create_network({"Name": "n1"})
    dead = svc.join("dead", "n1", svc.sandbox("dead"), EndpointSpec(name="d"))
    svc.publish("dead", {"80/tcp": [{"HostPort": "8081"}]}, {}, False)
    live_ns = svc.sandbox("live")
    live = svc.join("live", "n1", live_ns, EndpointSpec(name="l"))
    svc.publish("live", {"80/tcp": [{"HostPort": "8082"}]}, {}, False)
    svc.holder.close()  # the "crash": sockets die with the process, kernel state stays
    svc.store.close()
    svc2 = mksvc()
    svc2.recover({"live"})
    assert dead.host_veth not in link_names(hostns)
    assert live.host_veth in link_names(hostns)
    assert not os.path.exists(svc2.sandbox_path("dead"))
    assert [e.cid for e in svc2.network_endpoints("n1")] == ["live"]
    rules = nft(hostns, "list", "table", "ip", "berth")
    assert "8081" not in rules and "8082" in rules
    assert svc2.holder.held() == {("0.0.0.0", "tcp", 8082)}
    with serving(live_ns):
        assert reach(hostns, "127.0.0.1", 8082) is not None
    # the dead one's address is free again
    again = svc2.join("new", "n1", svc2.sandbox("new"), EndpointSpec(name="n"))
    assert again.ipv4 != live.ipv4
