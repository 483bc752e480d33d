"""A fake upstream DNS server on 127.0.0.1 (UDP and TCP, one port) for the DNS tests.

Names it knows (all else is NXDOMAIN): ``ext.example`` A 192.0.2.7; ``big.example`` 60 A
records (too big for 512-byte UDP: sent truncated over UDP, whole over TCP);
``fail.example`` SERVFAIL; ``slow.example`` never answered. ``seen`` lists
``(name, "udp"|"tcp")`` for every query it got.
"""

from __future__ import annotations

import selectors
import socket
import struct
import threading

import dns.flags
import dns.message
import dns.rcode
import dns.rrset


class FakeUpstream:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.udp, self.tcp = self._bind_pair(host, port)
        self.port = self.udp.getsockname()[1]
        self.tcp.listen(8)
        self.address = f"{host}:{self.port}"
        self.seen: list[tuple[str, str]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="fake-upstream", daemon=True)
        self._thread.start()

    @staticmethod
    def _bind_pair(host: str, port: int) -> tuple[socket.socket, socket.socket]:
        """UDP and TCP on one port number: a free UDP port may be taken for TCP (by any
        other process), so an ephemeral pick is tried again until both bind."""
        for _ in range(50):
            udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            udp.bind((host, port))
            tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                tcp.bind((host, udp.getsockname()[1]))
            except OSError:
                udp.close()
                tcp.close()
                if port:
                    raise
                continue
            return udp, tcp
        raise OSError("no port free for both UDP and TCP")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.udp.close()
        self.tcp.close()

    def __enter__(self) -> FakeUpstream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def answer(self, wire: bytes, proto: str) -> bytes | None:
        query = dns.message.from_wire(wire)
        name = query.question[0].name.to_text().lower()
        self.seen.append((name.rstrip("."), proto))
        resp = dns.message.make_response(query, recursion_available=True)
        if name == "ext.example.":
            resp.answer.append(dns.rrset.from_text(query.question[0].name, 60, "IN", "A",
                                                   "192.0.2.7"))
        elif name == "big.example.":
            ips = [f"198.51.100.{i}" for i in range(1, 61)]
            resp.answer.append(dns.rrset.from_text_list(query.question[0].name, 60, "IN",
                                                         "A", ips))
            if proto == "udp":
                resp.answer.clear()
                resp.flags |= dns.flags.TC
        elif name == "fail.example.":
            resp.set_rcode(dns.rcode.SERVFAIL)
        elif name == "slow.example.":
            return None
        else:
            resp.set_rcode(dns.rcode.NXDOMAIN)
        return resp.to_wire()

    def _run(self) -> None:
        sel = selectors.DefaultSelector()
        sel.register(self.udp, selectors.EVENT_READ, "udp")
        sel.register(self.tcp, selectors.EVENT_READ, "tcp")
        while not self._stop.is_set():
            for key, _ in sel.select(timeout=0.05):
                if key.data == "udp":
                    wire, peer = self.udp.recvfrom(65535)
                    out = self.answer(wire, "udp")
                    if out is not None:
                        self.udp.sendto(out, peer)
                else:
                    conn, _ = self.tcp.accept()
                    self._tcp_one(conn)
        sel.close()

    def _tcp_one(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(2)
            try:
                (size,) = struct.unpack("!H", _exact(conn, 2))
                out = self.answer(_exact(conn, size), "tcp")
                if out is not None:
                    conn.sendall(struct.pack("!H", len(out)) + out)
            except (OSError, EOFError):
                pass


def _exact(conn: socket.socket, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


def query(name: str, rdtype: str = "A", *, edns: bool = False) -> dns.message.Message:
    return dns.message.make_query(name, rdtype, use_edns=0 if edns else False)
