"""EmbeddedDNS for real: listeners on 127.0.0.11:53 inside a netns made here, queried from
a thread inside it; forwarding reaches a fake upstream on the host's 127.0.0.1."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import dns.message
import dns.query
import dns.rcode
import pytest
from tests.unit.network.dnstest_util import FakeUpstream, query

from berth.errdefs import NotFound
from berth.network import netns
from berth.network.dns import EmbeddedDNS
from berth.network.links import LO
from berth.network.rtnl import Rtnl

pytestmark = pytest.mark.root
CID = "c0ffee" * 10 + "abcd"


def lo_up() -> None:
    with Rtnl() as nl:
        nl.set_link(LO, up=True)


@pytest.fixture
def ns(tmp_path: Path) -> Iterator[str]:
    path = netns.create(tmp_path / "ns")
    try:
        netns.run_in(path, lo_up)
        yield path
    finally:
        netns.delete(path)


@pytest.fixture
def upstream() -> Iterator[FakeUpstream]:
    with FakeUpstream() as up:
        yield up


@pytest.fixture
def server(upstream: FakeUpstream) -> Iterator[EmbeddedDNS]:
    table = {"web": ["10.5.0.2", "fd05::2"], "alias": ["10.5.0.3"]}
    srv = EmbeddedDNS(lambda cid, name: table.get(name) if cid == CID else None,
                      [upstream.address], reverse=lambda cid, ip: "web.net" if
                      ip == "10.5.0.2" else None, timeout=1.0)
    try:
        yield srv
    finally:
        srv.close()


def ask(path: str, msg: dns.message.Message, tcp: bool = False) -> dns.message.Message:
    how = dns.query.tcp if tcp else dns.query.udp
    return netns.run_in(path, lambda: how(msg, "127.0.0.11", timeout=5))


def ips(resp: dns.message.Message) -> list[str]:
    return sorted(rr.to_text() for rrset in resp.answer for rr in rrset)


def port_free(path: str) -> bool:
    def probe() -> bool:
        for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
            with socket.socket(socket.AF_INET, kind) as s:
                try:
                    s.bind(("127.0.0.11", 53))
                except OSError:
                    return False
        return True
    return netns.run_in(path, probe)


def test_answers_inside_the_netns(ns: str, server: EmbeddedDNS, upstream: FakeUpstream) -> None:
    server.start_for(CID, ns)
    assert not port_free(ns)
    assert ips(ask(ns, query("web."))) == ["10.5.0.2"]
    assert ips(ask(ns, query("WEB.", "AAAA"))) == ["fd05::2"]
    assert ips(ask(ns, query("alias."), tcp=True)) == ["10.5.0.3"]
    assert ips(ask(ns, query("2.0.5.10.in-addr.arpa.", "PTR"))) == ["web.net."]
    assert upstream.seen == []


def test_forwards_from_the_host_namespace(ns: str, server: EmbeddedDNS,
                                          upstream: FakeUpstream) -> None:
    server.start_for(CID, ns)
    assert ips(ask(ns, query("ext.example."))) == ["192.0.2.7"]
    assert ask(ns, query("nope.example.")).rcode() == dns.rcode.NXDOMAIN
    big = ask(ns, query("big.example."), tcp=True)
    assert len(ips(big)) == 60
    assert ("big.example", "tcp") in upstream.seen


def test_per_container_upstream_override(ns: str, server: EmbeddedDNS) -> None:
    with FakeUpstream() as other:
        server.start_for(CID, ns, upstream=[other.address])
        assert ips(ask(ns, query("ext.example."))) == ["192.0.2.7"]
        assert other.seen == [("ext.example", "udp")]


def test_stop_restart_and_errors(ns: str, server: EmbeddedDNS, tmp_path: Path) -> None:
    server.start_for(CID, ns)
    server.start_for(CID, ns)  # again: replaces its own listeners
    assert server.serving() == [CID]
    server.stop_for(CID)
    server.stop_for(CID)  # idempotent
    assert port_free(ns) and server.serving() == []
    with pytest.raises(NotFound, match="network namespace"):
        server.start_for(CID, str(tmp_path / "missing"))
    server.start_for(CID, ns)
    server.close()
    assert port_free(ns)


def test_garbage_does_not_stop_it(ns: str, server: EmbeddedDNS) -> None:
    server.start_for(CID, ns)

    def hostile() -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            for junk in (b"", b"\x00", b"\xff" * 40, query("web.").to_wire()[:15]):
                s.sendto(junk, ("127.0.0.11", 53))
        with socket.create_connection(("127.0.0.11", 53), timeout=5) as c:
            c.sendall(b"\x00\x05abc")  # claims 5, sends 3, hangs up

    netns.run_in(ns, hostile)
    assert ips(ask(ns, query("web."))) == ["10.5.0.2"]
    assert ips(ask(ns, query("web."), tcp=True)) == ["10.5.0.2"]
