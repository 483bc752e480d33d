"""Published ports: PortBindings/ExposedPorts → concrete mappings, and the sockets that
reserve them.

Every published host port is reserved by a socket berthd holds (listening for tcp, bound
for udp/sctp) in the host namespace, so neither another container nor another program
can take it; the traffic itself never reaches that socket (nftables DNATs it first).
Host port 0 or empty picks a free port of the ephemeral range, sequentially as docker.
"""

from __future__ import annotations

import errno
import ipaddress
import socket
import threading
from dataclasses import asdict, dataclass
from typing import Any

from berth import errdefs

from . import netns

PROTOS = {"tcp": socket.SOCK_STREAM, "udp": socket.SOCK_DGRAM, "sctp": socket.SOCK_SEQPACKET}


@dataclass
class Mapping:
    proto: str
    host_ip: str
    host_port: int
    ctr_port: int
    want: str = ""  # the HostPort asked for ("", "8080", "8000-8010")
    any_family: bool = False  # no host IP given: :: too when the container has IPv6

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def parse_key(key: str) -> tuple[int, int, str]:
    """"80/tcp", "80-81/udp", "80" → (first, last, proto), docker's errors."""
    port, _, proto = key.partition("/")
    proto = (proto or "tcp").lower()
    if proto not in PROTOS:
        raise errdefs.InvalidArgument(f"invalid proto: {proto}")
    first, last = _range(port, "containerPort")
    if first == 0:
        raise errdefs.InvalidArgument(f"invalid containerPort: {port}")
    return first, last, proto


def _range(text: str, what: str) -> tuple[int, int]:
    lo, _, hi = text.partition("-")
    try:
        a, b = int(lo), int(hi or lo)
    except ValueError:
        raise errdefs.InvalidArgument(f"invalid {what}: {text}") from None
    if not (0 <= a <= b <= 65535):
        raise errdefs.InvalidArgument(f"invalid {what}: {text}")
    return a, b


def plan(bindings: dict[str, Any] | None, exposed: dict[str, Any] | None,
         publish_all: bool) -> tuple[list[Mapping], list[str]]:
    """The mappings to make, and every port key inspect lists (exposed ones too)."""
    bindings = dict(bindings or {})
    keys: list[str] = []
    for key in list(exposed or {}) + list(bindings):
        first, last, proto = parse_key(key)
        for p in range(first, last + 1):
            k = f"{p}/{proto}"
            if k not in keys:
                keys.append(k)
    if publish_all:
        for key in exposed or {}:
            bindings.setdefault(key, [{"HostIp": "", "HostPort": ""}])
    out: list[Mapping] = []
    for key, binds in bindings.items():
        first, last, proto = parse_key(key)
        for b in binds or [{}]:
            host_ip = (b or {}).get("HostIp") or ""
            if host_ip:
                try:
                    ipaddress.ip_address(host_ip)
                except ValueError:
                    raise errdefs.InvalidArgument(f"invalid IP address: {host_ip}") from None
            want = str((b or {}).get("HostPort") or "")
            hlo, hhi = _range(want, "hostPort") if want else (0, 0)
            for i, p in enumerate(range(first, last + 1)):
                w = want if last == first or not want or hlo == hhi else str(hlo + i)
                out.append(Mapping(proto, host_ip or "0.0.0.0", 0, p, w, not host_ip))
    return out, keys


class PortHolder:
    """The reserving sockets, by (host_ip, proto, port); thread-safe."""

    def __init__(self, host_netns: str | None, ephemeral: tuple[int, int] | None = None) -> None:
        self.host_netns = host_netns
        self.lo, self.hi = ephemeral or _ephemeral_range()
        self._next = self.lo
        # None: an sctp port on a kernel without SCTP sockets (nothing local can take it)
        self._socks: dict[tuple[str, str, int], socket.socket | None] = {}
        self._lock = threading.Lock()

    def held(self) -> set[tuple[str, str, int]]:
        with self._lock:
            return set(self._socks)

    def acquire(self, m: Mapping) -> int:
        """Reserve the mapping's host port (choosing one when it is open); the port."""
        if m.want and "-" not in m.want and int(m.want) != 0:
            self._bind(m.host_ip, m.proto, int(m.want), exact=True)
            return int(m.want)
        lo, hi = _range(m.want, "hostPort") if m.want and m.want != "0" else (self.lo, self.hi)
        with self._lock:
            start = self._next if lo == self.lo and hi == self.hi else lo
        span = hi - lo + 1
        for i in range(span):
            port = lo + (start - lo + i) % span
            if self._bind(m.host_ip, m.proto, port, exact=False):
                if lo == self.lo and hi == self.hi:
                    with self._lock:
                        self._next = port + 1 if port < hi else lo
                return port
        raise errdefs.Conflict(f"Bind for {hp(m.host_ip, m.want or '0')} failed: port is "
                               "already allocated")

    def release(self, host_ip: str, proto: str, port: int) -> None:
        with self._lock:
            s = self._socks.pop((host_ip, proto, port), None)
        if s is not None:
            s.close()

    def close(self) -> None:
        with self._lock:
            socks, self._socks = list(self._socks.values()), {}
        for s in socks:
            if s is not None:
                s.close()

    def _bind(self, host_ip: str, proto: str, port: int, exact: bool) -> bool:
        key = (host_ip, proto, port)
        with self._lock:
            if key in self._socks:
                if exact:
                    raise errdefs.Conflict(f"Bind for {hp(host_ip, port)} failed: port is "
                                           "already allocated")
                return False
        try:
            s = netns.run_in(self.host_netns, lambda: _open(host_ip, proto, port))
        except OSError as exc:
            if not exact and exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            if exc.errno == errno.EADDRINUSE:
                raise errdefs.Conflict(f"Bind for {hp(host_ip, port)} failed: port is "
                                       "already allocated") from None
            raise errdefs.InvalidArgument(
                f"listen {proto} {hp(host_ip, port)}: bind: {exc.strerror}") from None
        with self._lock:
            self._socks[key] = s
        return True


def _open(host_ip: str, proto: str, port: int) -> socket.socket | None:
    """The reserving socket; None for sctp when the kernel has no SCTP sockets: no local
    program can hold the port then, and the DNAT rule (plain header matching) works
    without the sctp module, for traffic from SCTP-capable peers."""
    fam = socket.AF_INET6 if ":" in host_ip else socket.AF_INET
    try:
        s = socket.socket(fam, PROTOS[proto], socket.IPPROTO_SCTP if proto == "sctp" else 0)
    except OSError as exc:
        if proto == "sctp" and exc.errno in (errno.EPROTONOSUPPORT, errno.ESOCKTNOSUPPORT):
            return None
        raise
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if fam == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        s.bind((host_ip, port))
        if proto != "udp":
            s.listen(1)
    except BaseException:
        s.close()
        raise
    return s


def hp(host_ip: str, port: int | str) -> str:
    return f"[{host_ip}]:{port}" if ":" in host_ip else f"{host_ip}:{port}"


def _ephemeral_range() -> tuple[int, int]:
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            lo, hi = (int(x) for x in f.read().split())
        return lo, hi
    except (OSError, ValueError):
        return 32768, 60999


def settings_ports(keys: list[str], mappings: list[dict[str, Any]]) -> dict[str, Any]:
    """NetworkSettings.Ports: every key, with its host bindings or None."""
    out: dict[str, Any] = {k: None for k in keys}
    for m in mappings:
        k = f"{m['ctr_port']}/{m['proto']}"
        out.setdefault(k, None)
        out[k] = (out[k] or []) + [{"HostIp": m["host_ip"], "HostPort": str(m["host_port"])}]
    return out
