"""The name table: which names a container may resolve, from the network endpoints.

Docker's rules (libnetwork ``Sandbox.ResolveName``): a container sees the endpoints of
the networks it is on, itself included, and nothing else. An endpoint answers to its
``DNSNames`` — container name, network aliases, short id (12 hex), hostname, filled only
on user-defined networks (the default bridge has no service discovery) — compared without
case. A name may also carry a network suffix, ``web.backend``: for ``a.b.c`` docker tries
``a.b.c`` on all the container's networks, then ``a.b`` on network ``c``, then ``a`` on
network ``b.c``; the first that matches wins. Several endpoints with the same name on
one network (a shared alias) give all their addresses; the first network that knows a
name is the only one asked. A ``--link name:alias`` on a user network makes ``alias``
a name of ``name`` for the linking container only (asked before the shared names).
PTR answers ``<first DNS name>.<network name>``.

Pure functions over endpoint lists, plus ``make_lookup``/``make_reverse`` binding them
to a ``NetworkService`` (``endpoints(cid)`` and ``network_endpoints(network id)``).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

from berth.errdefs import NotFound

DEFAULT_BRIDGE = "bridge"
Members = Callable[[str], Sequence[Any]]  # network id → its endpoints


class EndpointSource(Protocol):
    def endpoints(self, cid: str) -> Sequence[Any]: ...

    def network_endpoints(self, network: str) -> Sequence[Any]: ...


def _get(ep: Any, key: str) -> Any:
    return ep.get(key) if isinstance(ep, dict) else getattr(ep, key, None)


def names_of(ep: Any) -> set[str]:
    """The lower-cased names an endpoint answers to."""
    found = list(_get(ep, "dns_names") or []) + list(_get(ep, "aliases") or [])
    return {n.lower().rstrip(".") for n in found if n}


def addresses_of(ep: Any) -> list[str]:
    return [ip for ip in (_get(ep, "ipv4"), _get(ep, "ipv6")) if ip]


def candidates(name: str) -> list[tuple[str, str | None]]:
    """(name, network or None) pairs to try, in docker's order."""
    name = name.lower().rstrip(".")
    out: list[tuple[str, str | None]] = [(name, None)]
    cut = len(name)
    while (cut := name.rfind(".", 0, cut)) > 0:
        out.append((name[:cut], name[cut + 1:]))
    return out


def _discoverable(mine: Iterable[Any]) -> list[Any]:
    return [ep for ep in mine if _get(ep, "network_name") != DEFAULT_BRIDGE]


def resolve(name: str, mine: Sequence[Any], members: Members) -> list[str] | None:
    """The addresses ``name`` stands for, seen from a container with endpoints ``mine``;
    None when no network it is on knows the name (the query goes upstream)."""
    nets = _discoverable(mine)
    if not name or not nets:
        return None
    cache: dict[str, Sequence[Any]] = {}
    for want, network in candidates(name):
        # a container's own --link aliases first, then the names everyone sees
        for local in (True, False):
            for own in nets:
                if network is not None and \
                        (_get(own, "network_name") or "").lower() != network:
                    continue
                target = (_get(own, "links") or {}).get(want) if local else want
                if not target:
                    continue
                net_id = _get(own, "network_id")
                if net_id not in cache:
                    cache[net_id] = members(net_id)
                holders = [ep for ep in cache[net_id] if target in names_of(ep)]
                if holders:
                    return list(dict.fromkeys(ip for ep in holders
                                              for ip in addresses_of(ep)))
    return None


def reverse(ip: str, mine: Sequence[Any], members: Members) -> str | None:
    """``<name>.<network>`` for an address on one of the container's networks, or None."""
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return None
    for own in _discoverable(mine):
        for ep in members(_get(own, "network_id")):
            if any(_same(addr, a) for a in addresses_of(ep)):
                first = (_get(ep, "dns_names") or [None])[0]
                if first:
                    return f"{first}.{_get(own, 'network_name')}"
    return None


def _same(addr: ipaddress.IPv4Address | ipaddress.IPv6Address, text: str) -> bool:
    try:
        return ipaddress.ip_address(text.split("%")[0]) == addr
    except ValueError:
        return False


def _members(service: EndpointSource) -> Members:
    def members(network_id: str) -> Sequence[Any]:
        try:
            return service.network_endpoints(network_id)
        except NotFound:  # removed while we looked: it knows no names any more
            return []
    return members


def make_lookup(service: EndpointSource) -> Callable[[str, str], list[str] | None]:
    """``lookup(cid, name)`` for ``EmbeddedDNS`` over a NetworkService."""
    return lambda cid, name: resolve(name, service.endpoints(cid), _members(service))


def make_reverse(service: EndpointSource) -> Callable[[str, str], str | None]:
    """``reverse(cid, ip)`` for ``EmbeddedDNS`` (PTR) over a NetworkService."""
    return lambda cid, ip: reverse(ip, service.endpoints(cid), _members(service))
