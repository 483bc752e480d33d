"""The embedded DNS server's sans-IO core: query bytes in, decisions and reply bytes out.

The asyncio adapter (``server``) and the forwarder (``forward``) own every socket; this
module only parses, decides and renders, so each rule can be unit-tested with bytes:

- ``parse`` turns a datagram into a ``Query`` or an immediate error reply (FORMERR,
  NOTIMP) — or ``None``: drop it silently (too short to answer, or not a query at all,
  which keeps us from being bounced off into a loop).
- ``local_name`` / ``ptr_address`` say what to ask the name table; ``answer_addresses`` /
  ``answer_ptr`` render the answer, or return None when the name is not ours (forward).
- ``classify`` judges an upstream reply; ``relay`` fits it to the client's transport;
  ``servfail`` is what the client gets when no upstream answered.
"""

from __future__ import annotations

import enum
import ipaddress
import struct
from dataclasses import dataclass

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.reversename
import dns.rrset

TTL = 600  # seconds; docker's resolver answers with the same
MIN_UDP = 512
MAX_UDP = 4096  # never promise more than this per datagram, whatever EDNS asks for
_HEADER = struct.Struct("!HHHHHH")
_QR = 0x8000
_TC = 0x0200


@dataclass(frozen=True)
class Query:
    """A well-formed standard query with exactly one question."""

    msg: dns.message.Message
    wire: bytes
    name: str  # lower-case, no trailing dot ("" for the root)
    qtype: int
    qclass: int
    max_udp: int  # the largest UDP reply the client takes (512, or its EDNS size)


class Verdict(enum.Enum):
    OK = "ok"  # relay it
    TRUNCATED = "truncated"  # ask the same server again over TCP
    NEXT = "next"  # SERVFAIL/REFUSED: try the next server
    BAD = "bad"  # not a reply to this query: ignore it


def parse(wire: bytes) -> Query | bytes | None:
    """A ``Query``; or reply bytes to send at once (FORMERR, NOTIMP); or None to drop."""
    if len(wire) < _HEADER.size:
        return None
    qid, flags, *_ = _HEADER.unpack_from(wire)
    if flags & _QR:
        return None
    opcode = (flags >> 11) & 0xF
    if opcode != dns.opcode.QUERY:
        return _bare_error(qid, flags, dns.rcode.NOTIMP)
    try:
        msg = dns.message.from_wire(wire)
    except Exception:  # dnspython raises many kinds for hostile bytes; all mean FORMERR
        return _bare_error(qid, flags, dns.rcode.FORMERR)
    if len(msg.question) != 1:
        return _bare_error(qid, flags, dns.rcode.FORMERR)
    q = msg.question[0]
    name = q.name.to_text(omit_final_dot=True).lower() if q.name != dns.name.root else ""
    size = MIN_UDP
    if msg.edns >= 0:
        size = max(MIN_UDP, min(MAX_UDP, msg.payload))
    return Query(msg, wire, name, q.rdtype, q.rdclass, size)


def local_name(q: Query) -> str | None:
    """The name to look up in the table, for queries the table may answer (IN A/AAAA)."""
    if q.qclass != dns.rdataclass.IN or q.qtype not in (dns.rdatatype.A, dns.rdatatype.AAAA):
        return None
    return q.name or None


def ptr_address(q: Query) -> str | None:
    """The IP address an IN PTR query asks about (a full in-addr/ip6.arpa name), or None."""
    if q.qclass != dns.rdataclass.IN or q.qtype != dns.rdatatype.PTR:
        return None
    try:
        return dns.reversename.to_address(q.msg.question[0].name)
    except (dns.exception.DNSException, ValueError):
        return None


def answer_addresses(q: Query, ips: list[str] | None) -> dns.message.Message | None:
    """The answer for a name the table knows (None: not ours, forward it). A known name
    without an address of the asked family gets an empty NOERROR, as docker's does, so the
    client does not learn an outside address for a container's name."""
    if ips is None:
        return None
    want = 4 if q.qtype == dns.rdatatype.A else 6
    mine = [ip for ip in ips if _family(ip) == want]
    resp = _response(q)
    rdtype = dns.rdatatype.RdataType(q.qtype)
    for ip in mine:  # one RRset each, so a cut for UDP keeps as many as fit
        resp.answer.append(dns.rrset.from_text(q.msg.question[0].name, TTL, "IN", rdtype, ip))
    return resp


def answer_ptr(q: Query, host: str | None) -> dns.message.Message | None:
    """The PTR answer for one of our addresses (None: not ours, forward it)."""
    if not host:
        return None
    resp = _response(q)
    target = dns.name.from_text(host)
    resp.answer.append(dns.rrset.from_text_list(q.msg.question[0].name, TTL, "IN", "PTR",
                                                [target.to_text()]))
    return resp


def render(q: Query, resp: dns.message.Message, tcp: bool) -> bytes:
    """Bytes for the client: over UDP, cut to its size with TC set when it does not fit."""
    if tcp:
        return resp.to_wire(max_size=65535)
    try:
        return resp.to_wire(max_size=q.max_udp, prefer_truncation=True)
    except dns.exception.DNSException:
        return _truncated(q)


def classify(q: Query, wire: bytes) -> Verdict:
    """What to do with ``wire`` received from an upstream server for ``q``."""
    if len(wire) < _HEADER.size:
        return Verdict.BAD
    qid, flags, *_ = _HEADER.unpack_from(wire)
    if qid != q.msg.id or not flags & _QR:
        return Verdict.BAD
    try:
        reply = dns.message.from_wire(wire, question_only=True)
    except Exception:  # hostile or broken bytes are just not our reply
        return Verdict.BAD
    mine = q.msg.question[0]
    if len(reply.question) != 1:
        return Verdict.BAD
    theirs = reply.question[0]
    if (theirs.name != mine.name or theirs.rdtype != mine.rdtype
            or theirs.rdclass != mine.rdclass):
        return Verdict.BAD
    if flags & _TC:
        return Verdict.TRUNCATED
    if reply.rcode() in (dns.rcode.SERVFAIL, dns.rcode.REFUSED):
        return Verdict.NEXT
    return Verdict.OK


def relay(q: Query, wire: bytes, tcp: bool) -> bytes:
    """An upstream reply (already ``classify``-ed) fitted to the client's transport: a reply
    got over TCP may be too big for the client's UDP; then as much as fits, with TC set."""
    if tcp or len(wire) <= q.max_udp:
        return wire
    try:
        reply = dns.message.from_wire(wire, one_rr_per_rrset=True)
    except Exception:  # could not re-render: tell the client to come back over TCP
        return _truncated(q)
    return render(q, reply, tcp=False)


def servfail(q: Query) -> bytes:
    """What the client gets when nothing upstream answered in time."""
    resp = _response(q)
    resp.set_rcode(dns.rcode.SERVFAIL)
    return resp.to_wire()


def _response(q: Query) -> dns.message.Message:
    resp = dns.message.make_response(q.msg, recursion_available=True, our_payload=MAX_UDP)
    return resp


def _truncated(q: Query) -> bytes:
    resp = _response(q)
    resp.flags |= dns.flags.TC
    return resp.to_wire()


def _bare_error(qid: int, flags: int, rcode: int) -> bytes:
    """A header-only reply (no question): all we can say about bytes we cannot parse."""
    keep = flags & 0x7900  # opcode and RD
    return _HEADER.pack(qid, _QR | keep | 0x0080 | (rcode & 0xF), 0, 0, 0, 0)


def _family(ip: str) -> int:
    try:
        return ipaddress.ip_address(ip.split("%")[0]).version
    except ValueError:
        return 0
