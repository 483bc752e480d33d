"""A small rtnetlink client: the dozen link/address/route requests berth makes.

Why not pyroute2: importing it costs berthd 200-350 ms, and each of its calls runs an
asyncio loop (0.3-0.9 ms) where the kernel needs ~0.1 ms; a container start makes about
ten. A socket here is a plain ``AF_NETLINK`` socket: it stays in the namespace it was
opened in, works from any thread (one request at a time, under its lock) and can be kept
for the daemon's life. Errors are ``OSError`` with the kernel's errno.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import socket
import struct
import threading
from collections.abc import Iterator

# message types and flags (linux/rtnetlink.h, linux/netlink.h)
NEWLINK, DELLINK, GETLINK, SETLINK, NEWADDR, GETADDR, NEWROUTE, GETROUTE = \
    16, 17, 18, 19, 20, 22, 24, 26
F_REQUEST, F_ACK, F_DUMP, F_EXCL, F_CREATE = 0x1, 0x4, 0x300, 0x200, 0x400
MSG_ERROR, MSG_DONE = 2, 3
NLA_F_NESTED = 0x8000
# attributes
IFLA_ADDRESS, IFLA_IFNAME, IFLA_MTU, IFLA_MASTER, IFLA_PROTINFO, IFLA_LINKINFO = \
    1, 3, 4, 10, 12, 18
IFLA_NET_NS_FD, IFLA_INFO_KIND, IFLA_INFO_DATA, VETH_INFO_PEER = 28, 1, 2, 1
IFLA_BRPORT_MODE, IFLA_BRPORT_ISOLATED = 4, 39
IFA_ADDRESS, IFA_LOCAL, IFA_F_NODAD = 1, 2, 0x02
RTA_DST, RTA_OIF, RTA_GATEWAY, RTA_TABLE = 1, 4, 5, 15
IFF_UP, AF_BRIDGE, RT_TABLE_MAIN = 0x1, 7, 254

_HDR = struct.Struct("=IHHII")
_IFI = struct.Struct("=BxHiII")
_IFA = struct.Struct("=BBBBI")
_RTM = struct.Struct("=BBBBBBBBI")


def attr(kind: int, value: bytes | str | int | list[bytes], fmt: str = "=I") -> bytes:
    """One netlink attribute: bytes as is, str NUL-terminated, int packed with ``fmt``,
    a list of attributes nested."""
    if isinstance(value, list):
        data, kind = b"".join(value), kind | NLA_F_NESTED
    elif isinstance(value, str):
        data = value.encode() + b"\0"
    elif isinstance(value, int):
        data = struct.pack(fmt, value)
    else:
        data = value
    raw = struct.pack("=HH", 4 + len(data), kind) + data
    return raw + b"\0" * (-len(raw) % 4)


def parse_attrs(data: bytes) -> dict[int, bytes]:
    out: dict[int, bytes] = {}
    off = 0
    while off + 4 <= len(data):
        ln, kind = struct.unpack_from("=HH", data, off)
        if ln < 4:
            break
        out.setdefault(kind & 0x3FFF, data[off + 4:off + ln])
        off += (ln + 3) & ~3
    return out


def ifinfo(index: int = 0, flags: int = 0, change: int = 0, family: int = 0) -> bytes:
    return _IFI.pack(family, 0, index, flags, change)


def ip_bytes(ip: str) -> bytes:
    return ipaddress.ip_address(ip).packed


class Rtnl:
    """An rtnetlink socket in the namespace of the thread that opened it (``protocol``:
    another netlink family with the same framing, e.g. nfnetlink for ``nfgen``)."""

    def __init__(self, protocol: int = socket.NETLINK_ROUTE) -> None:
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW | socket.SOCK_CLOEXEC,
                                  protocol)
        self.sock.bind((0, 0))
        self._seq = 0
        self._lock = threading.Lock()

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> Rtnl:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- requests ----------------------------------------------------------------------
    def request(self, kind: int, body: bytes, flags: int = 0) -> list[tuple[int, bytes]]:
        """Send one request and collect the replies ((type, payload) …): until the ack
        for a plain request, until DONE for a dump. A kernel error raises OSError."""
        with self._lock:
            self._seq += 1
            seq = self._seq
            self.sock.send(_HDR.pack(_HDR.size + len(body), kind, F_REQUEST | F_ACK | flags,
                                     seq, 0) + body)
            out: list[tuple[int, bytes]] = []
            while True:
                buf = self.sock.recv(1 << 16)
                for typ, mseq, payload in _messages(buf):
                    if mseq != seq:
                        continue
                    if typ == MSG_DONE:
                        return out
                    if typ == MSG_ERROR:
                        code = -struct.unpack_from("=i", payload)[0]
                        if code:
                            raise OSError(code, os.strerror(code))
                        return out
                    out.append((typ, payload))

    # -- links -------------------------------------------------------------------------
    def index(self, name: str) -> int | None:
        try:
            got = self.request(GETLINK, ifinfo() + attr(IFLA_IFNAME, name))
        except OSError as exc:
            if exc.errno == errno.ENODEV:
                return None
            raise
        return _IFI.unpack_from(got[0][1])[2] if got else None

    def links(self) -> list[tuple[int, str, int]]:
        """(index, name, master index or 0) of every link."""
        out = []
        for _, payload in self.request(GETLINK, ifinfo(), F_DUMP):
            idx = _IFI.unpack_from(payload)[2]
            attrs = parse_attrs(payload[_IFI.size:])
            name = attrs.get(IFLA_IFNAME, b"").rstrip(b"\0").decode()
            master = struct.unpack("=I", attrs[IFLA_MASTER])[0] if IFLA_MASTER in attrs else 0
            out.append((idx, name, master))
        return out

    def add_link(self, name: str, kind: str, *, mtu: int = 0, master: int = 0,
                 up: bool = False, data: list[bytes] | None = None) -> None:
        attrs = [attr(IFLA_IFNAME, name)]
        if mtu:
            attrs.append(attr(IFLA_MTU, mtu))
        if master:
            attrs.append(attr(IFLA_MASTER, master))
        info = [attr(IFLA_INFO_KIND, kind.encode())]
        if data:
            info.append(attr(IFLA_INFO_DATA, data))
        attrs.append(attr(IFLA_LINKINFO, info))
        flags = IFF_UP if up else 0
        self.request(NEWLINK, ifinfo(0, flags, flags) + b"".join(attrs), F_CREATE | F_EXCL)

    def set_link(self, index: int, *, up: bool | None = None, master: int | None = None) -> None:
        flags = IFF_UP if up else 0
        change = IFF_UP if up is not None else 0
        attrs = attr(IFLA_MASTER, master) if master is not None else b""
        self.request(NEWLINK, ifinfo(index, flags, change) + attrs)

    def del_link(self, index: int) -> None:
        self.request(DELLINK, ifinfo(index))

    def brport(self, index: int, hairpin: bool, isolated: bool) -> None:
        info = [attr(IFLA_BRPORT_MODE, int(hairpin), "=B"),
                attr(IFLA_BRPORT_ISOLATED, int(isolated), "=B")]
        self.request(SETLINK, ifinfo(index, family=AF_BRIDGE) + attr(IFLA_PROTINFO, info))

    # -- addresses and routes ----------------------------------------------------------
    def addrs(self, index: int) -> set[tuple[str, int]]:
        out = set()
        for _, payload in self.request(GETADDR, _IFA.pack(0, 0, 0, 0, 0), F_DUMP):
            _, plen, _, _, idx = _IFA.unpack_from(payload)
            attrs = parse_attrs(payload[_IFA.size:])
            if idx == index and IFA_ADDRESS in attrs:
                out.add((str(ipaddress.ip_address(attrs[IFA_ADDRESS])), plen))
        return out

    def add_addr(self, index: int, ip: str, prefixlen: int) -> None:
        v6 = ":" in ip
        fam = socket.AF_INET6 if v6 else socket.AF_INET
        body = _IFA.pack(fam, prefixlen, IFA_F_NODAD if v6 else 0, 0, index)
        body += attr(IFA_ADDRESS, ip_bytes(ip))
        if not v6:
            body += attr(IFA_LOCAL, ip_bytes(ip))
        self.request(NEWADDR, body, F_CREATE | F_EXCL)

    def routes(self, family: int) -> Iterator[tuple[str | None, int, dict[int, bytes]]]:
        """(destination or None for a default route, prefix length, attributes) of the
        main table."""
        for _, payload in self.request(GETROUTE, _RTM.pack(family, 0, 0, 0, 0, 0, 0, 0, 0),
                                       F_DUMP):
            _, dst_len, _, _, table, _, _, _, _ = _RTM.unpack_from(payload)
            attrs = parse_attrs(payload[_RTM.size:])
            if RTA_TABLE in attrs:
                table = struct.unpack("=I", attrs[RTA_TABLE])[0]
            if table != RT_TABLE_MAIN:
                continue
            dst = attrs.get(RTA_DST)
            yield (str(ipaddress.ip_address(dst)) if dst else None), dst_len, attrs

    def add_default_route(self, gateway: str, oif: int) -> None:
        fam = socket.AF_INET6 if ":" in gateway else socket.AF_INET
        body = _RTM.pack(fam, 0, 0, 0, RT_TABLE_MAIN, 3, 0, 1, 0)  # proto boot, unicast
        body += attr(RTA_GATEWAY, ip_bytes(gateway)) + attr(RTA_OIF, oif)
        self.request(NEWROUTE, body, F_CREATE | F_EXCL)

    def has_default_route(self, family: int) -> bool:
        return any(dst is None and plen == 0 for dst, plen, _ in self.routes(family))


def _messages(buf: bytes) -> Iterator[tuple[int, int, bytes]]:
    off = 0
    while off + _HDR.size <= len(buf):
        ln, typ, _, seq, _ = _HDR.unpack_from(buf, off)
        if ln < _HDR.size:
            break
        yield typ, seq, buf[off + _HDR.size:off + ln]
        off += (ln + 3) & ~3


def veth_peer(name: str, ns_fd: int, *, mac: str = "", mtu: int = 0) -> list[bytes]:
    """IFLA_INFO_DATA of a veth whose other end is made in the namespace ``ns_fd`` (down:
    the kernel refuses to bring it up before the pair is linked)."""
    attrs = [attr(IFLA_IFNAME, name), attr(IFLA_NET_NS_FD, ns_fd)]
    if mac:
        attrs.append(attr(IFLA_ADDRESS, bytes.fromhex(mac.replace(":", ""))))
    if mtu:
        attrs.append(attr(IFLA_MTU, mtu))
    return [attr(VETH_INFO_PEER, ifinfo() + b"".join(attrs))]
