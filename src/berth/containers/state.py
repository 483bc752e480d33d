"""The container state machine and docker's ``State`` object.

::

    created ──start──▶ running ──exit──▶ exited ──start──▶ running
       │                 │  ▲                │
       │             pause│  │unpause         ├──policy──▶ restarting ──▶ running | exited
       │                 ▼  │                 │
       │               paused ──exit──▶ exited
       └──────┬──────────┴──────────────────────┴──▶ removing ──▶ (gone) | dead

Every change goes through :func:`transition`, which refuses moves the diagram does not
have (so a racing stop and start cannot leave a record saying "running" with no process),
and the caller persists the record right after.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from berth._util.units import human_duration
from berth.errdefs import Conflict

ZERO_TIME = "0001-01-01T00:00:00Z"

ALLOWED: dict[str, set[str]] = {
    "created": {"running", "removing", "dead", "exited"},
    "running": {"paused", "exited", "restarting", "dead"},
    "paused": {"running", "exited", "dead"},
    "exited": {"running", "restarting", "removing", "dead"},
    "restarting": {"running", "exited", "removing", "dead"},
    "removing": {"dead", "created", "exited"},
    "dead": {"removing"},
}


def now_rfc3339(t: float | None = None) -> str:
    """RFC 3339 with nanoseconds, UTC, like Go's ``time.RFC3339Nano``."""
    t = time.time() if t is None else t
    whole = int(t)
    frac = f"{round((t - whole) * 1e9):09d}".rstrip("0")
    base = datetime.fromtimestamp(whole, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{base}.{frac}Z" if frac else f"{base}Z"


def parse_time(s: str) -> float:
    """Seconds since the epoch of an RFC 3339 string (0 for docker's zero time)."""
    if not s or s.startswith("0001-"):
        return 0.0
    main, _, rest = s.rstrip("Z").partition(".")
    base = datetime.fromisoformat(main).replace(tzinfo=UTC)  # C; strptime was 20 % of ps
    return base.timestamp() + (float("0." + rest) if rest else 0.0)


def new_state() -> dict[str, Any]:
    return {"Status": "created", "Running": False, "Paused": False, "Restarting": False,
            "OOMKilled": False, "Dead": False, "Pid": 0, "ExitCode": 0, "Error": "",
            "StartedAt": ZERO_TIME, "FinishedAt": ZERO_TIME}


def transition(cid: str, state: dict[str, Any], to: str) -> None:
    """Move ``state`` to status ``to``, keeping docker's boolean flags in step."""
    frm = state["Status"]
    if to != frm and to not in ALLOWED[frm]:
        raise Conflict(f"container {cid[:12]}: cannot move from {frm} to {to}")
    state["Status"] = to
    state["Running"] = to in ("running", "paused", "restarting")
    state["Paused"] = to == "paused"
    state["Restarting"] = to == "restarting"
    state["Dead"] = to == "dead"
    if to in ("exited", "created", "dead"):
        state["Pid"] = 0


def mark_running(cid: str, state: dict[str, Any], pid: int) -> None:
    transition(cid, state, "running")
    state.update(Pid=pid, ExitCode=0, Error="", OOMKilled=False, StartedAt=now_rfc3339())


def mark_exited(cid: str, state: dict[str, Any], code: int, *, oom: bool = False,
                finished_at: str | None = None, error: str = "") -> None:
    transition(cid, state, "exited")
    state.update(ExitCode=code, OOMKilled=oom, Error=error,
                 FinishedAt=finished_at or now_rfc3339())


def status_text(state: dict[str, Any], health: str | None = None) -> str:
    """The ``Status`` column of ``docker ps``."""
    st = state["Status"]
    now = time.time()
    if st in ("running", "paused"):
        up = f"Up {human_duration(now - parse_time(state['StartedAt']))}"
        if st == "paused":
            return up + " (Paused)"
        return up + (f" ({health})" if health else "")
    if st == "restarting":
        ago = human_duration(now - parse_time(state["FinishedAt"]))
        return f"Restarting ({state['ExitCode']}) {ago} ago"
    if st == "removing":
        return "Removal In Progress"
    if st == "dead":
        return "Dead"
    if st == "created" or parse_time(state["FinishedAt"]) == 0:
        return "Created"
    ago = human_duration(now - parse_time(state["FinishedAt"]))
    return f"Exited ({state['ExitCode']}) {ago} ago"
