"""``-p``/``--expose`` parsing (go-connections nat.ParsePortSpecs) and port formatting
for ``ps`` and ``port``."""

from __future__ import annotations

from berth.cli.usage import CLIError

TYPE_CHECKING = False  # typing and re stay off the CLI's start-up
if TYPE_CHECKING:
    from typing import Any


def _range(s: str) -> list[int]:
    lo, _, hi = s.partition("-")
    try:
        a = int(lo)
        b = int(hi) if hi else a
    except ValueError:
        raise CLIError(f"invalid containerPort: {s}", 125) from None
    return list(range(a, b + 1))


def parse_publish(publish: tuple[str, ...], expose: tuple[str, ...]
                  ) -> tuple[dict[str, Any], dict[str, list[dict[str, str]]]]:
    """(ExposedPorts, PortBindings) from ``-p [ip:][hostPort:]containerPort[/proto]``."""
    exposed: dict[str, Any] = {}
    bindings: dict[str, list[dict[str, str]]] = {}
    for spec in publish:
        rest, _, proto = spec.partition("/")
        proto = proto or "tcp"
        ip = ""
        if rest.startswith("["):
            end = rest.index("]")
            ip, rest = rest[1:end], rest[end + 2:]
        parts = rest.split(":")
        if len(parts) == 3:
            ip, host, ctr = parts
        elif len(parts) == 2:
            host, ctr = parts
        else:
            host, ctr = "", parts[0]
        cports = _range(ctr)
        hports = _range(host) if host else []
        for i, cp in enumerate(cports):
            key = f"{cp}/{proto}"
            exposed[key] = {}
            hp = str(hports[i]) if len(hports) == len(cports) else host
            bindings.setdefault(key, []).append({"HostIp": ip, "HostPort": hp})
    for spec in expose:
        rest, _, proto = spec.partition("/")
        for cp in _range(rest):
            exposed.setdefault(f"{cp}/{proto or 'tcp'}", {})
    return dict(sorted(exposed.items())), dict(sorted(bindings.items()))


def natural_key(text: str) -> list[tuple[int, int, str]]:
    """sortorder.NaturalLess: runs of digits compare by value, the rest as text."""
    import re

    return [(0, int(p), p) if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", text)
            if p]


def _join_host(ip: str, port: int) -> str:
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


def _group_text(key: tuple[str, str], first: int, last: int) -> str:
    ip, proto = key
    span = str(first) if first == last else f"{first}-{last}"
    return (f"{ip}:{span}->{span}" if ip else span) + "/" + proto


def format_ports(ports: list[dict[str, Any]] | None) -> str:
    """``ps``'s PORTS cell, as docker's DisplayablePorts: ports sorted (private, ip, public,
    type); runs of consecutive ports that map to themselves (or are only exposed) collapse
    into ranges like ``0.0.0.0:8000-8001->8000-8001/tcp``; other mappings follow as
    ``ip:public->private/type``."""
    items = sorted(ports or [], key=lambda p: (p.get("PrivatePort", 0), p.get("IP", ""),
                                               p.get("PublicPort", 0), p.get("Type", "")))
    groups: dict[tuple[str, str], list[int]] = {}  # key -> [first, last], in creation order
    done: list[str] = []
    mappings: list[str] = []
    for p in items:
        cur, typ, ip = int(p.get("PrivatePort", 0)), p.get("Type", "tcp"), p.get("IP", "")
        if ip and p.get("PublicPort", 0) != cur:
            mappings.append(f"{_join_host(ip, p.get('PublicPort', 0))}->{cur}/{typ}")
            continue
        key = (ip, typ)
        group = groups.get(key)
        if group is None:
            groups[key] = [cur, cur]
        elif cur == group[1] + 1:
            group[1] = cur
        else:
            done.append(_group_text(key, *group))
            groups[key] = [cur, cur]
    done += [_group_text(k, *g) for k, g in groups.items()]
    return ", ".join(done + mappings)
