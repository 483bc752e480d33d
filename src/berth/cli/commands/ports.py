"""``-p``/``--expose`` parsing (go-connections nat.ParsePortSpecs) and port formatting
for ``ps`` and ``port``."""

from __future__ import annotations

from typing import Any

from berth.cli.usage import CLIError


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


def format_ports(ports: list[dict[str, Any]] | None) -> str:
    """``ps``'s PORTS cell: ``0.0.0.0:8080->80/tcp, 53/udp`` (sorted by container port)."""
    out: set[tuple[int, str]] = set()
    for p in ports or []:
        typ = p.get("Type", "tcp")
        if p.get("PublicPort"):
            ip = p.get("IP", "")
            host = f"[{ip}]:" if ":" in ip else (f"{ip}:" if ip else "")
            out.add((p["PrivatePort"], f"{host}{p['PublicPort']}->{p['PrivatePort']}/{typ}"))
        else:
            out.add((p["PrivatePort"], f"{p['PrivatePort']}/{typ}"))
    return ", ".join(text for _, text in sorted(out))
