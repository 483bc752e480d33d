"""Upstream resolvers: which servers the embedded DNS forwards to, and how they are written.

An entry is an address with an optional port: ``10.0.0.1``, ``10.0.0.1:5353``, ``::1``,
``[::1]:5353``, ``fe80::1%eth0``. Loopback ones are fine: forwarding sockets live in
berthd's (host) namespace, which is why user networks can use a host's 127.0.0.53 stub
where the default bridge cannot.
"""

from __future__ import annotations

import ipaddress

from berth.errdefs import InvalidArgument

#: docker's fallbacks when the host lists no nameserver at all.
FALLBACK = ["8.8.8.8", "8.8.4.4"]


def parse_server(entry: str) -> tuple[str, int]:
    """``(address, port)`` for one upstream entry; InvalidArgument names a bad one."""
    text = entry.strip()
    host, port = text, 53
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise InvalidArgument(f"invalid DNS server address {entry!r}")
        if rest:
            port = _port(rest[1:], entry)
    elif text.count(":") == 1:
        host, _, raw = text.partition(":")
        port = _port(raw, entry)
    try:
        ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        raise InvalidArgument(f"invalid DNS server address {entry!r}") from None
    return host, port


def host_upstreams(resolv_text: str) -> list[str]:
    """The nameservers of a host's resolv.conf (loopback ones included), in order;
    docker's public fallbacks when it has none."""
    found: list[str] = []
    for line in resolv_text.splitlines():
        fields = line.split()
        if len(fields) >= 2 and fields[0] == "nameserver":
            try:
                parse_server(fields[1])
            except InvalidArgument:
                continue  # resolv.conf(5) ignores what it cannot read; so do we
            found.append(fields[1])
    return found or list(FALLBACK)


def _port(raw: str, entry: str) -> int:
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise InvalidArgument(f"invalid DNS server port in {entry!r}")
    return int(raw)
