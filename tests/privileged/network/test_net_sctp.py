"""``-p 9000:9000/sctp``: the mapping, its reservation and the ``sctp dport`` DNAT rule;
and, when the kernel has SCTP sockets, an association through the published port from
another host. Without SCTP in the kernel the port is still published and kept from other
containers (nothing local can hold an SCTP port then)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable

import pytest
from nettest_util import nft, wire_remote

from berth import errdefs
from berth.network import EndpointSpec, NetworkService, netns

pytestmark = pytest.mark.root


def _kernel_sctp() -> str:
    """Why SCTP traffic cannot be tested here ("" when it can)."""
    try:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_SCTP).close()
    except OSError as exc:
        return f"the kernel has no SCTP sockets ({exc.strerror}; no sctp module)"
    return ""


def test_sctp_publish_rule(svc: NetworkService, hostns: str) -> None:
    ns = svc.sandbox("c1")
    ep = svc.join("c1", "bridge", ns, EndpointSpec(name="a"))
    got = svc.publish("c1", {"9000/sctp": [{"HostIp": "", "HostPort": "9000"}]},
                      {"9000/sctp": {}}, False)
    assert got == {"9000/sctp": [{"HostIp": "0.0.0.0", "HostPort": "9000"}]}
    assert svc.port_mappings("c1")[0]["proto"] == "sctp"
    rules = nft(hostns, "list", "chain", "ip", svc.table, "ports")
    assert f"sctp dport 9000 dnat to {ep.ipv4}:9000" in rules
    svc.join("c2", "bridge", svc.sandbox("c2"), EndpointSpec(name="b"))
    with pytest.raises(errdefs.Conflict, match=r"0\.0\.0\.0:9000 failed: port is already"):
        svc.publish("c2", {"9000/sctp": [{"HostPort": "9000"}]}, {}, False)
    svc.unpublish("c1")
    assert "sctp" not in nft(hostns, "list", "chain", "ip", svc.table, "ports")


def test_sctp_through_published_port(svc: NetworkService, hostns: str,
                                     mkns: Callable[[str], str]) -> None:
    why = _kernel_sctp()
    if why:
        pytest.skip(f"SCTP traffic: {why}; the rule itself is tested above")
    remote = mkns("remote")
    wire_remote(hostns, remote)
    ns = svc.sandbox("c1")
    svc.join("c1", "bridge", ns, EndpointSpec(name="a"))
    svc.publish("c1", {"9000/sctp": [{"HostPort": "9000"}]}, {}, False)

    def listen() -> socket.socket:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_SCTP)
        s.bind(("0.0.0.0", 9000))
        s.listen(1)
        s.settimeout(5)
        return s

    def talk() -> bytes:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_SCTP) as c:
            c.settimeout(5)
            c.connect(("10.250.0.1", 9000))
            return c.recv(16)

    server = netns.run_in(ns, listen)
    try:
        def answer() -> None:
            conn, _ = server.accept()
            with conn:
                conn.sendall(b"sctp ok")

        t = threading.Thread(target=answer, daemon=True)
        t.start()
        assert netns.run_in(remote, talk) == b"sctp ok"
        t.join(5)
    finally:
        server.close()
