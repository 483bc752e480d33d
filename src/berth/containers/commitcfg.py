"""The config of a committed image: the request's config + ``--change`` lines, then
whatever it leaves unset taken from the container's config (moby ``daemon/commit.go``
``merge``).

So ``docker commit c img`` keeps the container's Cmd/Env/WorkingDir…; ``-c 'CMD …'``
replaces Cmd; Env and ExposedPorts are unions (the request wins on a key clash), Labels
too; Volumes are the union; an Entrypoint given without a Cmd does not inherit the
container's Cmd. Only image-config fields survive (Hostname, Tty… are dropped).
"""

from __future__ import annotations

from typing import Any

import msgspec

from berth.errdefs import InvalidArgument
from berth.images.changes import apply_changes
from berth.oci.image import ContainerConfig

_HEALTH_FIELDS = ("Interval", "Timeout", "StartPeriod", "StartInterval", "Retries")


def user_config(body: Any, changes: list[str]) -> dict[str, Any]:
    """The request body (a Config, or null) with the Dockerfile-style changes applied."""
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise InvalidArgument("commit config must be a JSON object")
    try:
        cfg = msgspec.convert(body, ContainerConfig)
    except msgspec.ValidationError as e:
        raise InvalidArgument(f"invalid commit config: {e}") from None
    out: dict[str, Any] = msgspec.to_builtins(apply_changes(cfg, changes))
    return out


def merge(user: dict[str, Any], ctr: dict[str, Any]) -> dict[str, Any]:
    """moby's ``merge(userConf, imageConf)`` on Engine API dicts; returns a new dict."""
    u = dict(user)
    if not u.get("User"):
        u["User"] = ctr.get("User") or ""
    ports = dict(u.get("ExposedPorts") or {})
    for port, v in (ctr.get("ExposedPorts") or {}).items():
        ports.setdefault(port, v or {})
    u["ExposedPorts"] = ports or None
    env = list(u.get("Env") or [])
    keys = {e.partition("=")[0] for e in env}
    env += [e for e in ctr.get("Env") or [] if e.partition("=")[0] not in keys]
    u["Env"] = env or None
    labels = dict(ctr.get("Labels") or {})
    labels.update(u.get("Labels") or {})
    u["Labels"] = labels
    if not u.get("Entrypoint"):
        if not u.get("Cmd"):
            u["Cmd"] = ctr.get("Cmd")
        if u.get("Entrypoint") is None:
            u["Entrypoint"] = ctr.get("Entrypoint")
    u["Healthcheck"] = _health(u.get("Healthcheck"), ctr.get("Healthcheck"))
    if not u.get("WorkingDir"):
        u["WorkingDir"] = ctr.get("WorkingDir") or ""
    vols = dict(u.get("Volumes") or {})
    vols.update(ctr.get("Volumes") or {})
    u["Volumes"] = vols or None
    if not u.get("StopSignal"):
        u["StopSignal"] = ctr.get("StopSignal") or ""
    return u


def _health(user: dict[str, Any] | None, ctr: dict[str, Any] | None) -> dict[str, Any] | None:
    if ctr is None:
        return user
    if user is None:
        return dict(ctr)
    out = dict(user)
    if not out.get("Test"):
        out["Test"] = ctr.get("Test")
    for key in _HEALTH_FIELDS:
        if not out.get(key):
            out[key] = ctr.get(key, 0)
    return out


def image_config(user: dict[str, Any], ctr: dict[str, Any]) -> ContainerConfig:
    """The merged config as the image config's ``config`` struct."""
    merged = {k: v for k, v in merge(user, ctr).items() if v is not None}
    try:
        return msgspec.convert(merged, ContainerConfig)
    except msgspec.ValidationError as e:
        raise InvalidArgument(f"invalid commit config: {e}") from None
