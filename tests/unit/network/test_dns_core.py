"""Embedded DNS without sockets in a netns: the sans-IO core (answers, forwarding
decisions, hostile bytes), the name table, upstream parsing, and ``EmbeddedDNS.handle``
forwarding to a fake upstream on loopback."""

from __future__ import annotations

import asyncio
import random
import struct
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import pytest
from tests.unit.network.dnstest_util import FakeUpstream, query

from berth.errdefs import InvalidArgument, NotFound
from berth.network.dns import EmbeddedDNS, core, names
from berth.network.dns.upstream import host_upstreams, parse_server


def parsed(msg: dns.message.Message) -> core.Query:
    q = core.parse(msg.to_wire())
    assert isinstance(q, core.Query)
    return q


# -- parsing and hostile bytes ------------------------------------------------------------

def test_parse_query_fields() -> None:
    q = parsed(query("Web.Example.", "AAAA", edns=True))
    assert (q.name, q.qtype, q.max_udp) == ("web.example", dns.rdatatype.AAAA, 1232)
    assert parsed(query("x.")).max_udp == 512


@pytest.mark.parametrize("wire", [b"", b"\x01", b"\x00" * 11])
def test_too_short_is_dropped(wire: bytes) -> None:
    assert core.parse(wire) is None


def test_responses_are_dropped_never_answered() -> None:
    wire = bytearray(query("a.").to_wire())
    wire[2] |= 0x80  # QR
    assert core.parse(bytes(wire)) is None


def rcode_of(wire: bytes) -> int:
    return struct.unpack("!H", wire[2:4])[0] & 0xF


def test_garbage_after_header_gets_formerr_with_its_id() -> None:
    wire = struct.pack("!HHHHHH", 0xBEEF, 0x0100, 1, 0, 0, 0) + b"\x3fzz"
    out = core.parse(wire)
    assert isinstance(out, bytes)
    assert out[:2] == b"\xbe\xef" and out[2] & 0x80 and rcode_of(out) == dns.rcode.FORMERR


def test_truncated_question_and_two_questions_are_formerr() -> None:
    wire = query("some.name.example.").to_wire()
    for bad in (wire[:-3], wire[:14]):
        out = core.parse(bad)
        assert isinstance(out, bytes) and rcode_of(out) == dns.rcode.FORMERR
    two = bytearray(wire)
    two[5] = 2  # QDCOUNT 2, one question present
    out = core.parse(bytes(two))
    assert isinstance(out, bytes) and rcode_of(out) == dns.rcode.FORMERR


def test_other_opcodes_are_notimp() -> None:
    wire = bytearray(query("a.").to_wire())
    wire[2] |= 0x5 << 3  # UPDATE
    out = core.parse(bytes(wire))
    assert isinstance(out, bytes) and rcode_of(out) == dns.rcode.NOTIMP


def test_random_bytes_never_raise() -> None:
    rng = random.Random(5)
    base = query("fuzz.example.", edns=True).to_wire()
    for _ in range(3000):
        wire = bytearray(base)
        for _ in range(rng.randint(1, 6)):
            wire[rng.randrange(len(wire))] = rng.randrange(256)
        out = core.parse(bytes(wire[: rng.randint(0, len(wire))]))
        assert out is None or isinstance(out, bytes | core.Query)
        noise = bytes(rng.randrange(256) for _ in range(rng.randint(0, 64)))
        core.parse(noise)


# -- local answers ------------------------------------------------------------------------

def answer_ips(resp: dns.message.Message) -> list[str]:
    return sorted(rr.to_text() for rrset in resp.answer for rr in rrset)


def test_answers_a_and_aaaa_from_the_table() -> None:
    q = parsed(query("Web."))
    assert core.local_name(q) == "web"
    resp = core.answer_addresses(q, ["10.0.0.2", "fd00::2", "10.0.0.3"])
    assert resp is not None and answer_ips(resp) == ["10.0.0.2", "10.0.0.3"]
    assert resp.answer[0].ttl == core.TTL and resp.answer[0].name.to_text() == "Web."
    assert resp.flags & dns.flags.RA and resp.rcode() == dns.rcode.NOERROR
    q6 = parsed(query("web.", "AAAA"))
    resp6 = core.answer_addresses(q6, ["10.0.0.2", "fd00::2"])
    assert resp6 is not None and answer_ips(resp6) == ["fd00::2"]


def test_known_name_without_that_family_is_empty_noerror() -> None:
    resp = core.answer_addresses(parsed(query("web.", "AAAA")), ["10.0.0.2"])
    assert resp is not None and resp.answer == [] and resp.rcode() == dns.rcode.NOERROR


def test_unknown_names_and_other_types_go_upstream() -> None:
    assert core.answer_addresses(parsed(query("web.")), None) is None
    assert core.local_name(parsed(query("web.", "MX"))) is None
    assert core.local_name(parsed(query(".", "A"))) is None


def test_ptr() -> None:
    q = parsed(query("2.0.18.172.in-addr.arpa.", "PTR"))
    assert core.ptr_address(q) == "172.18.0.2"
    resp = core.answer_ptr(q, "web.backend")
    assert resp is not None and answer_ips(resp) == ["web.backend."]
    assert core.answer_ptr(q, None) is None
    assert core.ptr_address(parsed(query("in-addr.arpa.", "PTR"))) is None
    assert core.ptr_address(parsed(query("x.example.", "PTR"))) is None


def test_render_truncates_for_udp_only() -> None:
    q = parsed(query("many."))
    resp = core.answer_addresses(q, [f"10.0.{i // 250}.{i % 250 + 1}" for i in range(200)])
    assert resp is not None
    small = dns.message.from_wire(core.render(q, resp, tcp=False))
    assert small.flags & dns.flags.TC and len(core.render(q, resp, tcp=False)) <= 512
    assert len(answer_ips(dns.message.from_wire(core.render(q, resp, tcp=True)))) == 200


# -- forwarding decisions -----------------------------------------------------------------

def reply_to(q: core.Query, **kw: object) -> dns.message.Message:
    resp = dns.message.make_response(q.msg)
    for k, v in kw.items():
        if k == "rcode":
            resp.set_rcode(v)  # type: ignore[arg-type]
        elif k == "tc":
            resp.flags |= dns.flags.TC
    return resp


def test_classify_upstream_replies() -> None:
    q = parsed(query("ext.example."))
    ok = reply_to(q)
    assert core.classify(q, ok.to_wire()) is core.Verdict.OK
    assert core.classify(q, reply_to(q, rcode=dns.rcode.NXDOMAIN).to_wire()) is core.Verdict.OK
    assert core.classify(q, reply_to(q, tc=True).to_wire()) is core.Verdict.TRUNCATED
    for rc in (dns.rcode.SERVFAIL, dns.rcode.REFUSED):
        assert core.classify(q, reply_to(q, rcode=rc).to_wire()) is core.Verdict.NEXT
    other = ok.to_wire()
    assert core.classify(q, bytes([other[0] ^ 1]) + other[1:]) is core.Verdict.BAD  # id
    assert core.classify(q, q.wire) is core.Verdict.BAD  # not a reply
    wrong = reply_to(parsed(query("other.example.")))
    wrong.id = q.msg.id
    assert core.classify(q, wrong.to_wire()) is core.Verdict.BAD
    assert core.classify(q, other[:20]) is core.Verdict.BAD
    assert core.classify(q, b"\x00") is core.Verdict.BAD


def test_relay_and_servfail() -> None:
    q = parsed(query("ext.example."))
    wire = reply_to(q).to_wire()
    assert core.relay(q, wire, tcp=False) == wire
    fail = dns.message.from_wire(core.servfail(q))
    assert fail.rcode() == dns.rcode.SERVFAIL and fail.id == q.msg.id


# -- the name table -----------------------------------------------------------------------

@dataclass
class Ep:
    cid: str
    network_id: str
    network_name: str
    ipv4: str = ""
    ipv6: str = ""
    dns_names: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)


class FakeService:
    def __init__(self, eps: list[Ep]) -> None:
        self.eps = eps

    def endpoints(self, cid: str) -> list[Ep]:
        return [e for e in self.eps if e.cid == cid]

    def network_endpoints(self, network: str) -> list[Ep]:
        if network == "gone":
            raise NotFound("network gone not found")
        return [e for e in self.eps if e.network_id == network]


SERVICE = FakeService([
    Ep("a" * 64, "n1", "front", "10.1.0.2", "fd01::2", ["web", "www", "a" * 12, "webhost"]),
    Ep("a" * 64, "n2", "back", "10.2.0.2", "", ["web", "a" * 12]),
    Ep("b" * 64, "n1", "front", "10.1.0.3", "", ["api", "shared", "b" * 12]),
    Ep("c" * 64, "n1", "front", "10.1.0.4", "", ["worker", "shared"]),
    Ep("d" * 64, "n3", "other", "10.3.0.2", "", ["lonely"]),
    Ep("e" * 64, "nb", "bridge", "172.17.0.2", "", []),
    Ep("f" * 64, "nb", "bridge", "172.17.0.3", "", ["nodiscovery"]),
    Ep("9" * 64, "gone", "removed", "10.7.0.2", "", ["ghost"]),
])
lookup, reverse = names.make_lookup(SERVICE), names.make_reverse(SERVICE)


def test_names_on_shared_networks_only() -> None:
    b = "b" * 64
    assert lookup(b, "web") == ["10.1.0.2", "fd01::2"]
    assert lookup(b, "WWW.") == ["10.1.0.2", "fd01::2"]
    assert lookup(b, "a" * 12) == ["10.1.0.2", "fd01::2"]
    assert lookup(b, "webhost") == ["10.1.0.2", "fd01::2"]
    assert lookup(b, "api") == ["10.1.0.3"]  # itself
    assert lookup(b, "lonely") is None
    assert lookup("d" * 64, "web") is None
    assert sorted(lookup(b, "shared") or []) == ["10.1.0.3", "10.1.0.4"]


def test_network_suffix_selects_the_network() -> None:
    a = "a" * 64
    assert lookup(a, "web") == ["10.1.0.2", "fd01::2"]  # first network of the asker
    assert lookup(a, "web.back") == ["10.2.0.2"]
    assert lookup(a, "web.front") == ["10.1.0.2", "fd01::2"]
    assert lookup(a, "web.other") is None
    assert lookup(a, "api.back") is None


def test_a_network_removed_meanwhile_knows_nothing() -> None:
    assert lookup("9" * 64, "ghost") is None


def test_default_bridge_has_no_discovery() -> None:
    assert lookup("e" * 64, "nodiscovery") is None
    assert reverse("e" * 64, "172.17.0.3") is None


def test_reverse_names_first_dns_name_and_network() -> None:
    assert reverse("b" * 64, "10.1.0.2") == "web.front"
    assert reverse("b" * 64, "fd01:0::2") == "web.front"
    assert reverse("b" * 64, "10.3.0.2") is None
    assert reverse("b" * 64, "not-an-ip") is None


def test_candidates_follow_docker_order() -> None:
    assert names.candidates("a.b.c") == [("a.b.c", None), ("a.b", "c"), ("a", "b.c")]


# -- upstream entries ---------------------------------------------------------------------

def test_parse_server_forms() -> None:
    assert parse_server("10.0.0.1") == ("10.0.0.1", 53)
    assert parse_server("10.0.0.1:5353") == ("10.0.0.1", 5353)
    assert parse_server("::1") == ("::1", 53)
    assert parse_server("[::1]:54") == ("::1", 54)
    assert parse_server("fe80::1%eth0") == ("fe80::1%eth0", 53)
    for bad in ("", "dns.example", "10.0.0.1:0", "10.0.0.1:x", "[::1", "[::1]x", "1.2.3"):
        with pytest.raises(InvalidArgument, match="DNS server"):
            parse_server(bad)


def test_host_upstreams_keep_loopback() -> None:
    text = "# c\nnameserver 127.0.0.53\nnameserver bogus\nnameserver 10.0.0.1\nsearch x\n"
    assert host_upstreams(text) == ["127.0.0.53", "10.0.0.1"]
    assert host_upstreams("") == ["8.8.8.8", "8.8.4.4"]


# -- the asyncio path, forwarding to a fake upstream on loopback -----------------------------

@pytest.fixture
def upstream() -> AsyncIterator[FakeUpstream]:
    with FakeUpstream() as up:
        yield up  # type: ignore[misc]


def table(cid: str, name: str) -> list[str] | None:
    return ["10.9.0.2"] if name == "mine" else None


async def ask(srv: EmbeddedDNS, msg: dns.message.Message, tcp: bool = False,
              servers: list[tuple[str, int]] | None = None) -> dns.message.Message:
    out = await srv.handle("c" * 64, msg.to_wire(), tcp, servers)
    assert out is not None
    return dns.message.from_wire(out)


@pytest.fixture
async def server(upstream: FakeUpstream) -> AsyncIterator[EmbeddedDNS]:
    srv = EmbeddedDNS(table, [upstream.address], loop=asyncio.get_running_loop(), timeout=0.5)
    yield srv
    srv.close()


async def test_local_names_never_leave(server: EmbeddedDNS, upstream: FakeUpstream) -> None:
    resp = await ask(server, query("mine."))
    assert answer_ips(resp) == ["10.9.0.2"]
    assert upstream.seen == []


async def test_forwarded_answer_and_nxdomain(server: EmbeddedDNS,
                                             upstream: FakeUpstream) -> None:
    resp = await ask(server, query("ext.example."))
    assert answer_ips(resp) == ["192.0.2.7"]
    resp = await ask(server, query("nope.example."))
    assert resp.rcode() == dns.rcode.NXDOMAIN
    resp = await ask(server, query("ext.example."), tcp=True)
    assert answer_ips(resp) == ["192.0.2.7"]
    assert upstream.seen == [("ext.example", "udp"), ("nope.example", "udp"),
                             ("ext.example", "tcp")]


async def test_truncated_udp_falls_back_to_tcp(server: EmbeddedDNS,
                                               upstream: FakeUpstream) -> None:
    resp = await ask(server, query("big.example.", edns=True))  # 1232 bytes: 60 A fit
    assert len(answer_ips(resp)) == 60 and not resp.flags & dns.flags.TC
    assert upstream.seen == [("big.example", "udp"), ("big.example", "tcp")]
    small = await ask(server, query("big.example."))  # 512 bytes: as many as fit, TC
    assert small.flags & dns.flags.TC and 0 < len(answer_ips(small)) < 60


async def test_failures_become_servfail(server: EmbeddedDNS, upstream: FakeUpstream) -> None:
    assert (await ask(server, query("fail.example."))).rcode() == dns.rcode.SERVFAIL
    assert (await ask(server, query("slow.example."))).rcode() == dns.rcode.SERVFAIL


async def test_next_server_after_a_dead_one(server: EmbeddedDNS,
                                            upstream: FakeUpstream) -> None:
    with FakeUpstream() as dead:
        dead_addr = ("127.0.0.1", dead.port)
    servers = [dead_addr, ("127.0.0.1", upstream.port)]
    resp = await ask(server, query("ext.example."), servers=servers)
    assert answer_ips(resp) == ["192.0.2.7"]


async def test_garbage_gets_no_crash(server: EmbeddedDNS) -> None:
    assert await server.handle("c" * 64, b"\xff" * 5, False) is None
    out = await server.handle("c" * 64, b"\x12\x34\x01\x00\x00\x01" + b"\xff" * 20, False)
    assert out is not None and rcode_of(out) == dns.rcode.FORMERR


def test_lookup_errors_are_servfail(upstream: FakeUpstream) -> None:
    def broken(cid: str, name: str) -> list[str] | None:
        raise RuntimeError("db gone")

    srv = EmbeddedDNS(broken, [upstream.address], timeout=0.5)  # its own loop thread
    try:
        fut = asyncio.run_coroutine_threadsafe(
            srv.handle("c" * 64, query("x.").to_wire(), False), srv._loop)
        out = fut.result(timeout=10)
        assert out is not None and rcode_of(out) == dns.rcode.SERVFAIL
    finally:
        srv.close()
    srv.close()  # idempotent
