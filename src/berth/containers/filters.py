"""``GET /containers/json`` filters, with moby's names and error wording."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from berth.errdefs import InvalidArgument

from .state import parse_time

ACCEPTED = {"id", "name", "label", "status", "exited", "ancestor", "before", "since",
            "volume", "network", "health", "is-task", "publish", "expose", "isolation"}
STATUSES = ("created", "restarting", "running", "removing", "paused", "exited", "dead")
HEALTH = ("starting", "healthy", "unhealthy", "none")


def validate(filters: dict[str, list[str]] | None) -> dict[str, list[str]]:
    f = {k: list(v) for k, v in (filters or {}).items()}
    for k in f:
        if k not in ACCEPTED:
            raise InvalidArgument(f"invalid filter '{k}'")
    for s in f.get("status", []):
        if s not in STATUSES:
            raise InvalidArgument(f"invalid filter 'status={s}'")
    for h in f.get("health", []):
        if h not in HEALTH:
            raise InvalidArgument(f"Unrecognised filter value for health: {h}")
    for e in f.get("exited", []):
        if not e.lstrip("-").isdigit():
            raise InvalidArgument(f"invalid filter 'exited={e}'")
    for t in f.get("is-task", []):
        if t not in ("true", "false", "1", "0"):
            raise InvalidArgument(f"invalid filter 'is-task={t}'")
    return f


def label_match(labels: dict[str, str], wanted: list[str]) -> bool:
    for w in wanted:
        k, eq, v = w.partition("=")
        if k not in labels or (eq and labels[k] != v):
            return False
    return True


def volume_keys(rec: dict[str, Any]) -> set[str]:
    """What ``volume=`` matches: a mount's volume name (a bind's source) or destination."""
    out: set[str] = set()
    for m in (rec.get("MountPoints") or {}).values():
        out |= {m.get("Name") or m.get("Source") or "", m["Destination"]}
    return out - {""}


def build(f: dict[str, list[str]], lookup: Callable[[str], dict[str, Any]],
          ancestors: Callable[[str], set[str]]) -> Callable[[dict[str, Any]], bool]:
    """A predicate over records; ``before``/``since`` and ``ancestor`` resolved once."""
    before = [parse_time(lookup(b)["Created"]) for b in f.get("before", [])]
    since = [parse_time(lookup(s)["Created"]) for s in f.get("since", [])]
    images: set[str] = set()
    for a in f.get("ancestor", []):
        images |= ancestors(a)

    def match(rec: dict[str, Any]) -> bool:
        st, created = rec["State"], parse_time(rec["Created"])
        checks = (
            ("id", lambda: any(rec["ID"].startswith(v) for v in f["id"])),
            ("name", lambda: any(v.lstrip("/") in rec["Name"].lstrip("/") for v in f["name"])),
            ("label", lambda: label_match(rec["Config"].get("Labels") or {}, f["label"])),
            ("status", lambda: st["Status"] in f["status"]),
            ("exited", lambda: st["Status"] == "exited"
             and str(st["ExitCode"]) in f["exited"]),
            ("ancestor", lambda: rec["Image"] in images),
            ("before", lambda: all(created < b for b in before)),
            ("since", lambda: all(created > s for s in since)),
            ("volume", lambda: bool(volume_keys(rec) & set(f["volume"]))),
            ("network", lambda: rec["HostConfig"].get("NetworkMode") in f["network"]),
            ("health", lambda: ((st.get("Health") or {}).get("Status") or "none")
             in f["health"]),
            ("is-task", lambda: f["is-task"][-1] in ("false", "0")),
        )
        return all(fn() for key, fn in checks if f.get(key))
    return match
