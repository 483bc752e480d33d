"""Legacy ``--link`` as docker has it (moby ``daemon/links``, ``registerLinks``).

On the default bridge a link is checked at create (the target exists and is not on the
host network) and kept in ``HostConfig.Links`` as ``/target:/me/alias`` (inspect's
form); at each start the target must be running and on the default bridge, and the
container gets a hosts line (``ip alias hostname [name]``) and the environment docker
injects (``ALIAS_PORT_80_TCP=tcp://ip:80``…, ``ALIAS_NAME=/me/alias``,
``ALIAS_ENV_X`` from the target's env). On a user-defined network a link is only a name
for the embedded DNS, local to the linking container: it moves to the endpoint config's
``Links`` (the target may not exist yet) and ``HostConfig.Links`` stays empty, as docker's
inspect shows. Under ``icc=false`` the linking container may reach the target's exposed
ports (``NetworkService.set_links``), and when a target starts again with another
address the hosts files of the running containers linking to it are rewritten.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from berth import errdefs

from . import etcfiles

Lookup = Callable[[str], dict[str, Any]]


class LinkPlan(NamedTuple):
    """What a start on the default bridge gets from its links."""

    hosts: list[etcfiles.Link]
    env: list[str]
    # (target id, "", 0) per link and (target id, proto, port) per exposed port
    targets: list[tuple[str, str, int]]


def parse(value: str) -> tuple[str, str]:
    """``name[:alias]`` or the stored ``/name:/me/alias`` → (name, alias)."""
    if not value:
        raise errdefs.InvalidArgument("empty string specified for links")
    parts = value.split(":")
    if len(parts) > 2:
        raise errdefs.InvalidArgument(f"bad format for links: {value}")
    if len(parts) == 1:
        return value.lstrip("/"), value.lstrip("/")
    name, alias = parts
    if name.startswith("/"):
        return name[1:], alias.rpartition("/")[2]
    return name, alias


def check(rec: dict[str, Any], mode: str, lookup: Lookup | None,
          eps: dict[str, Any]) -> None:
    """Create time: docker's errors; the links stored in the form inspect shows."""
    hc = rec["HostConfig"]
    given = list(hc.get("Links") or [])
    if not given:
        return
    if mode == "host":
        raise errdefs.InvalidArgument("conflicting options: host type networking can't be "
                                      "used with links. This would result in undefined "
                                      "behavior")
    if mode.startswith("container:"):
        raise errdefs.InvalidArgument("conflicting options: container type network can't be "
                                      "used with links. This would result in undefined "
                                      "behavior")
    pairs = [parse(v) for v in given]
    if mode not in ("bridge", "none"):  # a user network: DNS aliases on the first network
        if eps:
            first = next(iter(eps.values()))
            have = list(first.get("Links") or [])
            first["Links"] = have + [f"{n}:{a}" for n, a in pairs if f"{n}:{a}" not in have]
        hc["Links"] = None
        return
    me = rec["Name"]
    out = []
    for name, alias in pairs:
        child = _child(lookup, name)
        if _mode_of(child) == "host":
            raise errdefs.InvalidArgument("conflicting options: host type networking can't "
                                          "be used with links. This would result in "
                                          "undefined behavior")
        out.append(f"{child['Name']}:{me}/{alias}")
    hc["Links"] = out


def _child(lookup: Lookup | None, name: str) -> dict[str, Any]:
    if lookup is None:
        raise errdefs.NotImplementedYet("--link needs the container service")
    seen = set()
    try:
        child = lookup(name)
        while _mode_of(child).startswith("container:") and child["ID"] not in seen:
            seen.add(child["ID"])
            child = lookup(_mode_of(child).partition(":")[2])
    except errdefs.NotFound as exc:
        raise errdefs.InvalidArgument(f"could not get container for {name}: {exc}") from None
    return child


def _mode_of(rec: dict[str, Any]) -> str:
    return str(rec["HostConfig"].get("NetworkMode") or "bridge")


def at_start(rec: dict[str, Any], lookup: Lookup | None,
             bridge_ip: Callable[[str], str]) -> LinkPlan:
    """Start time, default bridge: the hosts lines, environment and linked ports of each
    link; raises docker's error when a target is not running. ``bridge_ip(cid)`` is a
    container's default-bridge IPv4 ("" when it has none)."""
    plan = LinkPlan([], [], [])
    for value in rec["HostConfig"].get("Links") or []:
        name, alias = parse(value)
        path = value.partition(":")[2] if value.startswith("/") else \
            f"{rec['Name']}/{alias}"
        child = _child(lookup, name)
        if not child["State"].get("Running"):
            raise errdefs.BerthError(f"Cannot link to a non running container: "
                                     f"{child['Name']} AS {path}")
        ip = bridge_ip(child["ID"])
        if not ip:
            raise errdefs.BerthError(f"container {child['ID']} not attached to default "
                                     "bridge network")
        plan.hosts.append(host_line(child, alias, ip))
        exposed = child["Config"].get("ExposedPorts") or {}
        plan.env.extend(env_vars(path, ip, child["Config"].get("Env") or [], exposed))
        plan.targets.append((child["ID"], "", 0))  # the link itself, ports or not
        for key in exposed:
            port, _, proto = key.partition("/")
            plan.targets.append((child["ID"], (proto or "tcp").lower(), int(port)))
    return plan


def host_line(child: dict[str, Any], alias: str, ip: str) -> etcfiles.Link:
    cname = child["Name"].lstrip("/")
    return etcfiles.Link(ip, alias, cname if cname != alias else "",
                         child["Config"].get("Hostname") or "")


def lines_for(rec: dict[str, Any], child: dict[str, Any], ip: str) -> list[etcfiles.Link]:
    """The hosts lines ``rec``'s links to ``child`` have when ``child`` has ``ip``."""
    out = []
    for value in rec["HostConfig"].get("Links") or []:
        name, alias = parse(value)
        if name == child["Name"].lstrip("/") or child["ID"].startswith(name):
            out.append(host_line(child, alias, ip))
    return out


def env_vars(path: str, ip: str, child_env: list[str], exposed: dict[str, Any]) -> list[str]:
    """docker's link environment for the link ``path`` (``/me/alias``) to ``ip``."""
    alias = path.rpartition("/")[2].upper().replace("-", "_")
    keyed = []
    for key in exposed:
        port, _, proto = key.partition("/")
        keyed.append((int(port), (proto or "tcp").lower()))
    # tcp first, then by protocol name; by number within a protocol
    keyed.sort(key=lambda p: (p[1] != "tcp", p[1], p[0]))
    out: list[str] = []
    start = end = keyed[0] if keyed else None
    for i, (num, proto) in enumerate(keyed):
        if i == 0:
            out.append(f"{alias}_PORT={proto}://{ip}:{num}")
        pre = f"{alias}_PORT_{num}_{proto.upper()}"
        out += [f"{pre}={proto}://{ip}:{num}", f"{pre}_ADDR={ip}", f"{pre}_PORT={num}",
                f"{pre}_PROTO={proto}"]
        assert start is not None and end is not None
        if i > 0 and num == end[0] + 1 and proto == end[1]:
            end = (num, proto)
            if i < len(keyed) - 1:
                continue
        if end != start:
            pre = f"{alias}_PORT_{start[0]}_{start[1].upper()}"
            out += [f"{pre}_START={start[1]}://{ip}:{start[0]}", f"{pre}_PORT_START={start[0]}",
                    f"{pre}_END={end[1]}://{ip}:{end[0]}", f"{pre}_PORT_END={end[0]}"]
        start = end = (num, proto)
    out.append(f"{alias}_NAME={path}")
    for kv in child_env:
        key, eq, val = kv.partition("=")
        if eq and key not in ("HOME", "PATH"):
            out.append(f"{alias}_ENV_{key}={val}")
    return out
