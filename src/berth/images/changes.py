"""``docker import --change``/``commit --change``: Dockerfile instructions applied to a config.

Allowed, as in moby: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, USER, VOLUME, WORKDIR,
STOPSIGNAL. CMD/ENTRYPOINT/VOLUME take JSON or shell form.
"""

from __future__ import annotations

import json
import posixpath
import shlex
from collections.abc import Callable

import msgspec

from berth.errdefs import InvalidArgument
from berth.oci.image import ContainerConfig

ALLOWED = ("CMD", "ENTRYPOINT", "ENV", "EXPOSE", "LABEL", "ONBUILD", "USER", "VOLUME",
           "WORKDIR", "STOPSIGNAL")


def apply_changes(config: ContainerConfig, changes: list[str]) -> ContainerConfig:
    """A new config with every change applied in order; bad input raises, changing nothing."""
    c = msgspec.structs.replace(config)
    for line in changes:
        for one in line.splitlines():
            if one.strip():
                c = _apply(c, one.strip())
    return c


def _apply(c: ContainerConfig, line: str) -> ContainerConfig:
    word, _, rest = line.partition(" ")
    instr = word.upper()
    rest = rest.strip()
    handler = _HANDLERS.get(instr)
    if handler is None:
        raise InvalidArgument(f"{word} is not a valid change command")
    if not rest:
        raise InvalidArgument(f"{instr} requires at least one argument")
    return handler(c, rest)


def _json_or_shell(rest: str) -> list[str]:
    if rest.startswith("["):
        try:
            value = json.loads(rest)
        except json.JSONDecodeError:
            value = None
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return value
    return ["/bin/sh", "-c", rest]


def _pairs(rest: str, instr: str) -> list[tuple[str, str]]:
    """``k=v k2="v 2"`` or the legacy single ``k v`` form."""
    try:
        words = shlex.split(rest)
    except ValueError as e:
        raise InvalidArgument(f"{instr}: {e}") from None
    if words and "=" not in words[0]:
        if len(words) < 2:
            raise InvalidArgument(f"{instr} names can not be blank")
        key, _, value = rest.partition(" ")
        return [(key, value.strip())]
    out = []
    for w in words:
        key, sep, value = w.partition("=")
        if not sep or not key:
            raise InvalidArgument(f"{instr}: syntax error - can't find = in {w!r}. "
                                  "Must be of the form: name=value")
        out.append((key, value))
    return out


def _cmd(c: ContainerConfig, rest: str) -> ContainerConfig:
    return msgspec.structs.replace(c, Cmd=_json_or_shell(rest))


def _entrypoint(c: ContainerConfig, rest: str) -> ContainerConfig:
    return msgspec.structs.replace(c, Entrypoint=_json_or_shell(rest))


def _env(c: ContainerConfig, rest: str) -> ContainerConfig:
    env = list(c.Env or [])
    for key, value in _pairs(rest, "ENV"):
        env = [e for e in env if e.partition("=")[0] != key] + [f"{key}={value}"]
    return msgspec.structs.replace(c, Env=env)


def _label(c: ContainerConfig, rest: str) -> ContainerConfig:
    labels = dict(c.Labels or {})
    labels.update(_pairs(rest, "LABEL"))
    return msgspec.structs.replace(c, Labels=labels)


def _expose(c: ContainerConfig, rest: str) -> ContainerConfig:
    ports = dict(c.ExposedPorts or {})
    for p in rest.split():
        port, _, proto = p.partition("/")
        proto = (proto or "tcp").lower()
        lo, _, hi = port.partition("-")
        if not lo.isdigit() or (hi and not hi.isdigit()) or proto not in ("tcp", "udp", "sctp"):
            raise InvalidArgument(f"invalid containerPort: {p}")
        for n in range(int(lo), int(hi or lo) + 1):
            ports[f"{n}/{proto}"] = {}
    return msgspec.structs.replace(c, ExposedPorts=ports)


def _volume(c: ContainerConfig, rest: str) -> ContainerConfig:
    paths = _json_or_shell(rest) if rest.startswith("[") else rest.split()
    if paths[:2] == ["/bin/sh", "-c"]:
        paths = rest.split()
    vols = dict(c.Volumes or {})
    for p in paths:
        if not p:
            raise InvalidArgument("VOLUME specified can not be an empty string")
        vols[p] = {}
    return msgspec.structs.replace(c, Volumes=vols)


def _workdir(c: ContainerConfig, rest: str) -> ContainerConfig:
    return msgspec.structs.replace(c, WorkingDir=posixpath.join(c.WorkingDir or "/", rest))


def _onbuild(c: ContainerConfig, rest: str) -> ContainerConfig:
    trigger = rest.split(None, 1)[0].upper()
    if trigger in ("ONBUILD", "FROM", "MAINTAINER"):
        raise InvalidArgument(f"{trigger} isn't allowed as an ONBUILD trigger")
    return msgspec.structs.replace(c, OnBuild=[*(c.OnBuild or []), rest])


_HANDLERS: dict[str, Callable[[ContainerConfig, str], ContainerConfig]] = {
    "CMD": _cmd,
    "ENTRYPOINT": _entrypoint,
    "ENV": _env,
    "LABEL": _label,
    "EXPOSE": _expose,
    "VOLUME": _volume,
    "WORKDIR": _workdir,
    "ONBUILD": _onbuild,
    "USER": lambda c, rest: msgspec.structs.replace(c, User=rest),
    "STOPSIGNAL": lambda c, rest: msgspec.structs.replace(c, StopSignal=rest),
}
