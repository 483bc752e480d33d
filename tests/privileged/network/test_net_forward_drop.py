"""Coexistence with Docker's firewall (DESIGN.md §8): a ``filter FORWARD`` chain with
policy drop; berth's containers still reach out and are reached, and berth's accept
rules there (comment "berth") go again on cleanup."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from nettest_util import nft, nft_json, reach, serving, wait_for, wire_remote

from berth.network import EndpointSpec, NetworkService

pytestmark = pytest.mark.root


def test_forward_drop_policy(hostns: str, mkns: Callable[[str], str],
                             mksvc: Callable[[], NetworkService]) -> None:
    nft(hostns, "-f", "-", stdin="add table ip filter\nadd chain ip filter FORWARD "
        "{ type filter hook forward priority 0; policy drop; }\n")
    remote = mkns("remote")
    wire_remote(hostns, remote)
    svc = mksvc()
    ns = svc.sandbox("c1")
    svc.join("c1", "bridge", ns, EndpointSpec(name="a"))
    svc.publish("c1", {"80/tcp": [{"HostPort": "8080"}]}, {}, False)
    with serving(ns), serving(remote):
        assert reach(ns, "10.250.0.2", 80) == "hello 10.250.0.1"
        assert reach(remote, "10.250.0.1", 8080) == "hello 10.250.0.2"
    rules = [o["rule"] for o in nft_json(hostns, "list", "chain", "ip", "filter", "FORWARD")
             if "rule" in o]
    assert rules and all(r.get("comment") == "berth" for r in rules)
    svc.unpublish("c1")
    svc.leave("c1", "bridge")
    svc.shutdown_cleanup()
    left = [o for o in nft_json(hostns, "list", "chain", "ip", "filter", "FORWARD")
            if "rule" in o]
    assert left == []
    assert "berth" not in nft(hostns, "list", "tables")


def test_firewall_that_appears_later(hostns: str, mkns: Callable[[str], str],
                                     mksvc: Callable[[], NetworkService]) -> None:
    """dockerd started after berth: its DROP chain lacks berth's accepts until the next
    join notices (in the background) and puts them back."""
    remote = mkns("remote")
    wire_remote(hostns, remote)
    svc = mksvc()
    ns1 = svc.sandbox("c1")
    svc.join("c1", "bridge", ns1, EndpointSpec(name="a"))
    nft(hostns, "-f", "-", stdin="add table ip filter\nadd chain ip filter FORWARD "
        "{ type filter hook forward priority 0; policy drop; }\n")
    with serving(remote):
        assert reach(ns1, "10.250.0.2", 80) is None  # dropped: berth's accepts are missing
        ns2 = svc.sandbox("c2")
        svc.join("c2", "bridge", ns2, EndpointSpec(name="b"))
        assert wait_for(lambda: reach(ns1, "10.250.0.2", 80)) == "hello 10.250.0.1"
        assert reach(ns2, "10.250.0.2", 80) == "hello 10.250.0.1"
    for cid in ("c1", "c2"):
        svc.leave(cid, "bridge")
    svc.shutdown_cleanup()
    assert [o for o in nft_json(hostns, "list", "chain", "ip", "filter", "FORWARD")
            if "rule" in o] == []
