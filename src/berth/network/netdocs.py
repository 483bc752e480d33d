"""Network records in docker's NetworkResource shape: building one from a create body,
the predefined three, the inspect view and the list filters."""

from __future__ import annotations

import copy
import re
import secrets
import time
from datetime import UTC, datetime
from typing import Any

from berth import errdefs

from .bridge import OPT_ICC, OPT_MASQ, OPT_MTU, OPT_NAME

NAME_RE = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")
PREDEFINED = ("bridge", "host", "none")
BOOL_OPTS = (OPT_ICC, OPT_MASQ)


def now() -> str:
    t = time.time()
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "000Z"


def new_id() -> str:
    return secrets.token_hex(32)


def record(name: str, driver: str, *, nid: str | None = None, ipam: list[dict[str, Any]],
           ipv6: bool = False, internal: bool = False, attachable: bool = False,
           options: dict[str, str] | None = None, labels: dict[str, str] | None = None,
           bridge: str = "") -> dict[str, Any]:
    return {"Name": name, "Id": nid or new_id(), "Created": now(), "Scope": "local",
            "Driver": driver, "EnableIPv4": True, "EnableIPv6": ipv6,
            "IPAM": {"Driver": "default", "Options": None if driver != "bridge" or
                     name == "bridge" else {}, "Config": ipam},
            "Internal": internal, "Attachable": attachable, "Ingress": False,
            "ConfigFrom": {"Network": ""}, "ConfigOnly": False,
            "Options": dict(options or {}), "Labels": dict(labels or {}), "_bridge": bridge}


def check_body(body: dict[str, Any]) -> tuple[str, str, dict[str, str]]:
    """Name, driver and options of a create body, with docker's errors."""
    name = body.get("Name") or ""
    if not name:
        raise errdefs.InvalidArgument("network name must not be empty")
    if not NAME_RE.match(name):
        raise errdefs.InvalidArgument(
            f'invalid name "{name}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed')
    if name in PREDEFINED:
        raise errdefs.PermissionDenied(f"{name} is a pre-defined network and cannot be "
                                       "created")
    driver = body.get("Driver") or "bridge"
    if driver in ("host", "null"):
        raise errdefs.PermissionDenied(f'only one instance of "{driver}" network is allowed')
    if driver != "bridge":
        raise errdefs.NotFound(f'plugin "{driver}" not found')
    opts = {str(k): str(v) for k, v in (body.get("Options") or {}).items()}
    for key in BOOL_OPTS:
        if key in opts and opts[key].lower() not in ("true", "false", "1", "0"):
            raise errdefs.InvalidArgument(f"failed to parse {key} value: invalid syntax")
    if OPT_MTU in opts:
        try:
            if not 68 <= int(opts[OPT_MTU]) <= 65535:
                raise ValueError
        except ValueError:
            raise errdefs.InvalidArgument(f"invalid MTU number: {opts[OPT_MTU]}") from None
    br = opts.get(OPT_NAME, "")
    if br and (len(br) > 15 or "/" in br or " " in br):
        raise errdefs.InvalidArgument(f"invalid bridge name: {br}")
    return name, driver, opts


def view(net: dict[str, Any], containers: dict[str, Any] | None) -> dict[str, Any]:
    out = {k: copy.deepcopy(v) for k, v in net.items() if not k.startswith("_")}
    out["Containers"] = containers if containers is not None else {}
    return out


def matches(net: dict[str, Any], filters: dict[str, list[str]], dangling: bool) -> bool:
    """docker's network list filters (name/id prefix-or-substring as docker does)."""
    for key, vals in filters.items():
        if not vals:
            continue
        if key == "name" and not any(v in net["Name"] for v in vals):
            return False
        if key == "id" and not any(net["Id"].startswith(v) for v in vals):
            return False
        if key == "driver" and net["Driver"] not in vals:
            return False
        if key == "scope" and net["Scope"] not in vals:
            return False
        if key == "type":
            kind = "builtin" if net["Name"] in PREDEFINED else "custom"
            for v in vals:
                if v not in ("custom", "builtin"):
                    raise errdefs.InvalidArgument(f"invalid filter: 'type'='{v}'")
            if kind not in vals:
                return False
        if key == "label" and not all(_label(net.get("Labels") or {}, v) for v in vals):
            return False
        if key == "dangling":
            want = vals[0].lower() in ("true", "1")
            if vals[0].lower() not in ("true", "false", "1", "0"):
                raise errdefs.InvalidArgument(f"invalid filter 'dangling={vals[0]}'")
            if want != (dangling and net["Name"] not in PREDEFINED):
                return False
        if key not in ("name", "id", "driver", "scope", "type", "label", "dangling"):
            raise errdefs.InvalidArgument(f"invalid filter '{key}'")
    return True


def _label(labels: dict[str, str], spec: str) -> bool:
    k, eq, v = spec.partition("=")
    return k in labels and (not eq or labels[k] == v)
