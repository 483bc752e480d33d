"""Healthchecks, sans-IO: the check's settings, the probe schedule and the state machine.

Kept free of I/O and clocks so the rules can be tested exactly (``healthmon`` runs them
on berthd's loop with a real exec and a real clock). The rules are moby's
(daemon/health.go):

- ``Config.Healthcheck.Test``: ``["NONE"]`` disables, ``["CMD", argv…]`` runs argv,
  ``["CMD-SHELL", cmd]`` runs it with the container's ``Shell`` (default ``/bin/sh -c``);
  an empty Test means "inherit", which ``create.merge_config`` already did.
- Durations are nanoseconds; 0 means the default: interval 30 s, timeout 30 s,
  retries 3, start period 0, start interval 5 s.
- The first probe runs one interval after the start; the interval is the start interval
  while the status is ``starting`` and the container is within its start period.
- Exit 0 → ``healthy``, streak 0. Anything else (a timeout is -1) increments
  ``FailingStreak`` unless the status is ``starting`` and the probe began within the
  start period; the streak reaching ``retries`` → ``unhealthy``.
- The log keeps the last 5 results; output is cut to 4096 bytes.
- When the container stops, the status becomes ``unhealthy`` (moby, "for compatibility").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .state import now_rfc3339

NS = 1e9
DEFAULT_INTERVAL, DEFAULT_TIMEOUT, DEFAULT_RETRIES = 30.0, 30.0, 3
DEFAULT_START_PERIOD, DEFAULT_START_INTERVAL = 0.0, 5.0
MAX_LOG, MAX_OUTPUT = 5, 4096
STARTING, HEALTHY, UNHEALTHY = "starting", "healthy", "unhealthy"


@dataclass(frozen=True)
class Check:
    argv: list[str]
    interval: float = DEFAULT_INTERVAL
    timeout: float = DEFAULT_TIMEOUT
    retries: int = DEFAULT_RETRIES
    start_period: float = DEFAULT_START_PERIOD
    start_interval: float = DEFAULT_START_INTERVAL


@dataclass(frozen=True)
class Result:
    start: float        # seconds since the epoch
    end: float
    exit_code: int
    output: str


def _secs(value: Any, default: float) -> float:
    return float(value) / NS if isinstance(value, int | float) and value > 0 else default


def parse(hc: dict[str, Any] | None, shell: list[str] | None = None) -> Check | None:
    """The check a container's ``Config`` asks for, or None (no check, or NONE)."""
    if not hc:
        return None
    test = list(hc.get("Test") or [])
    if not test or test[0] == "NONE":
        return None
    if test[0] == "CMD":
        argv = test[1:]
    elif test[0] == "CMD-SHELL":
        argv = [*(shell or ["/bin/sh", "-c"]), " ".join(test[1:])]
    else:
        argv = test  # moby's API accepts a bare argv too
    if not argv:
        return None
    retries = hc.get("Retries")
    return Check(argv=argv, interval=_secs(hc.get("Interval"), DEFAULT_INTERVAL),
                 timeout=_secs(hc.get("Timeout"), DEFAULT_TIMEOUT),
                 retries=int(retries) if isinstance(retries, int) and retries > 0
                 else DEFAULT_RETRIES,
                 start_period=_secs(hc.get("StartPeriod"), DEFAULT_START_PERIOD),
                 start_interval=_secs(hc.get("StartInterval"), DEFAULT_START_INTERVAL))


def initial() -> dict[str, Any]:
    return {"Status": STARTING, "FailingStreak": 0, "Log": []}


def next_interval(check: Check, status: str, since_start: float) -> float:
    """Seconds until the next probe."""
    if since_start < check.start_period and status == STARTING:
        return check.start_interval
    return check.interval


def truncate(output: bytes) -> str:
    return output[:MAX_OUTPUT].decode(errors="replace")


def apply(health: dict[str, Any], check: Check, res: Result, started_at: float) -> str | None:
    """Record ``res`` in ``health`` (State.Health, changed in place); the new status if
    it changed (an event is due), else None."""
    old = health.get("Status") or STARTING
    log = list(health.get("Log") or [])
    log.append({"Start": now_rfc3339(res.start), "End": now_rfc3339(res.end),
                "ExitCode": res.exit_code, "Output": res.output})
    health["Log"] = log[-MAX_LOG:]
    streak = int(health.get("FailingStreak") or 0)
    status = old
    if res.exit_code == 0:
        streak, status = 0, HEALTHY
    elif not (old == STARTING and res.start - started_at < check.start_period):
        streak += 1
        if streak >= check.retries:
            status = UNHEALTHY
    health["FailingStreak"], health["Status"] = streak, status
    return status if status != old else None


def stopped(health: dict[str, Any] | None) -> bool:
    """The container stopped: ``unhealthy``; True if that changed the status."""
    if not health or health.get("Status") == UNHEALTHY:
        return False
    health["Status"] = UNHEALTHY
    return True
