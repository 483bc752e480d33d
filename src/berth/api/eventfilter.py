"""``/events`` filters and time bounds with moby's semantics (daemon/events/filter.go).

Every filter key must match (AND); values of one key are alternatives (OR). ``event``
and the object keys (``container``, ``network``, …) match the actor ID or name by
prefix; ``image`` matches the ID or name with or without its tag; ``label`` needs every
``k`` / ``k=v`` to hold on the actor's attributes.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from berth import errdefs

from .params import Filters

ACCEPTED = ("container", "daemon", "event", "image", "label", "network", "type", "plugin",
            "volume", "scope", "node", "service", "secret", "config")
_FUZZY_EVENTS = {"health_status", "exec_create", "exec_start"}
_BY_NAME = ("container", "plugin", "volume", "network", "node", "service", "secret", "config",
            "daemon")


def _exact(f: Filters, key: str, value: str) -> bool:
    vals = f.get(key)
    return not vals or value in vals


def _fuzzy(f: Filters, key: str, value: str) -> bool:
    vals = f.get(key)
    return not vals or any(value == v or (value and value.startswith(v)) for v in vals)


def _strip_tag(name: str) -> str:
    if "@" in name:
        return name.split("@", 1)[0]
    head, sep, tail = name.rpartition(":")
    return head if sep and "/" not in tail else name


def _match_image(f: Filters, ev: Mapping[str, Any]) -> bool:
    vals = f.get("image")
    if not vals:
        return True
    actor = ev.get("Actor", {})
    attrs = actor.get("Attributes") or {}
    name = attrs.get("name" if ev.get("Type") == "image" else "image", "")
    ident = actor.get("ID", "")
    return any(c in vals for c in (ident, name, _strip_tag(ident), _strip_tag(name)) if c)


def _match_labels(f: Filters, attrs: Mapping[str, str]) -> bool:
    for want in f.get("label", []):
        key, sep, value = want.partition("=")
        if key not in attrs or (sep and attrs[key] != value):
            return False
    return True


def _match_object(f: Filters, ev: Mapping[str, Any], kind: str) -> bool:
    if not f.get(kind):
        return True
    actor = ev.get("Actor", {})
    attrs = actor.get("Attributes") or {}
    return _fuzzy(f, kind, actor.get("ID", "")) or _fuzzy(f, kind, attrs.get("name", ""))


def include(f: Filters, ev: Mapping[str, Any]) -> bool:
    """Does event ``ev`` (Engine API shape) pass filters ``f``?"""
    action = ev.get("Action", "")
    if set(f.get("event", [])) & _FUZZY_EVENTS:
        ok = _fuzzy(f, "event", action)
    else:
        ok = _exact(f, "event", action)
    return (ok and _exact(f, "type", ev.get("Type", ""))
            and _exact(f, "scope", ev.get("scope", "local"))
            and all(_match_object(f, ev, kind) for kind in _BY_NAME)
            and _match_image(f, ev)
            and _match_labels(f, (ev.get("Actor", {}).get("Attributes") or {})))


def parse_time(raw: str, name: str, now: float | None = None) -> int | None:
    """A ``since``/``until`` bound in ns: unix seconds[.frac], RFC 3339, or empty."""
    if raw == "":
        return None
    try:
        if "." in raw:
            secs, frac = raw.split(".", 1)
            return int(secs) * 1_000_000_000 + int((frac + "000000000")[:9])
        return int(raw) * 1_000_000_000
    except ValueError:
        pass
    try:
        stamp = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise errdefs.InvalidArgument(
            f"invalid value for {name}: {raw!r} is not a timestamp") from None
    if stamp.tzinfo is None:
        stamp = stamp.astimezone()
    return int(stamp.timestamp() * 1_000_000_000)


def in_window(ev: Mapping[str, Any], since: int | None, until: int | None) -> bool:
    t = int(ev.get("timeNano", 0))
    return (since is None or t >= since) and (until is None or t <= until)


def now_ns() -> int:
    return time.time_ns()
