"""Healthcheck rules (moby's daemon/health.go) and the probe loop with a fake clock."""

from __future__ import annotations

import asyncio
from typing import Any

from berth.containers import healthcheck as hc
from berth.containers.healthmon import Checker, go_duration
from berth.containers.state import now_rfc3339

S = 1_000_000_000


def test_parse_defaults_and_forms() -> None:
    assert hc.parse(None) is None
    assert hc.parse({"Test": ["NONE"]}) is None
    assert hc.parse({"Test": []}) is None
    c = hc.parse({"Test": ["CMD", "true"]})
    assert c == hc.Check(argv=["true"], interval=30.0, timeout=30.0, retries=3,
                         start_period=0.0, start_interval=5.0)
    c = hc.parse({"Test": ["CMD-SHELL", "curl -f x || exit 1"], "Interval": 2 * S,
                  "Timeout": S // 2, "Retries": 5, "StartPeriod": 10 * S,
                  "StartInterval": S}, shell=["/bin/ash", "-c"])
    assert c == hc.Check(argv=["/bin/ash", "-c", "curl -f x || exit 1"], interval=2.0,
                         timeout=0.5, retries=5, start_period=10.0, start_interval=1.0)


def res(t: float, code: int, out: str = "") -> hc.Result:
    return hc.Result(t, t + 0.1, code, out)


def test_state_machine() -> None:
    check = hc.Check(argv=["x"], retries=2, start_period=10.0)
    h = hc.initial()
    assert hc.apply(h, check, res(105, 1), started_at=100) is None  # within start period
    assert h["FailingStreak"] == 0 and h["Status"] == "starting"
    assert hc.apply(h, check, res(111, 1), 100) is None
    assert h["FailingStreak"] == 1
    assert hc.apply(h, check, res(112, 1), 100) == "unhealthy"
    assert hc.apply(h, check, res(113, 0, "ok"), 100) == "healthy"
    assert h["FailingStreak"] == 0
    assert hc.apply(h, check, res(114, 1), 100) is None and h["Status"] == "healthy"
    assert hc.apply(h, check, res(115, -1), 100) == "unhealthy"
    assert len(h["Log"]) == hc.MAX_LOG
    assert h["Log"][-1] == {"Start": now_rfc3339(115), "End": now_rfc3339(115.1),
                            "ExitCode": -1, "Output": ""}
    assert hc.stopped(h) is False
    h2 = dict(hc.initial(), Status="healthy")
    assert hc.stopped(h2) is True and h2["Status"] == "unhealthy"


def test_start_period_failure_after_healthy_counts() -> None:
    check = hc.Check(argv=["x"], retries=1, start_period=100.0)
    h = dict(hc.initial(), Status="healthy")
    assert hc.apply(h, check, res(101, 1), 100) == "unhealthy"


def test_intervals_and_output() -> None:
    check = hc.Check(argv=["x"], interval=30.0, start_period=10.0, start_interval=2.0)
    assert hc.next_interval(check, "starting", 1.0) == 2.0
    assert hc.next_interval(check, "healthy", 1.0) == 30.0
    assert hc.next_interval(check, "starting", 11.0) == 30.0
    assert hc.truncate(b"a" * 5000) == "a" * 4096
    assert [go_duration(x) for x in (0.2, 1, 1.5, 90, 30)] == ["200ms", "1s", "1.5s",
                                                               "1m30s", "30s"]


class FakeClock:
    """Time moves only when the checker sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def time(self) -> float:
        return self.now

    async def sleep(self, secs: float) -> None:
        self.sleeps.append(secs)
        self.now += secs
        await asyncio.sleep(0)


async def test_checker_loop_with_fake_clock() -> None:
    clock = FakeClock()
    state: dict[str, Any] = {"Status": "running", "StartedAt": now_rfc3339(1000.0),
                             "Health": hc.initial()}
    check = hc.Check(argv=["x"], interval=30.0, retries=2, start_period=10.0,
                     start_interval=1.0)
    codes = iter([1, 0, 1, 1])
    events: list[str] = []

    async def probe(c: hc.Check) -> hc.Result:
        return hc.Result(clock.now, clock.now, next(codes), "")

    def record(r: hc.Result, started: float) -> None:
        changed = hc.apply(state["Health"], check, r, started)
        if changed:
            events.append(changed)
        if len(state["Health"]["Log"]) == 4:
            state["Status"] = "exited"

    checker = Checker(check, lambda: state if state["Status"] == "running" else None,
                      record, probe, clock.time, clock.sleep)
    await asyncio.wait_for(checker.run(), 5)
    # starting within the start period: start interval; then the normal interval
    assert clock.sleeps == [1.0, 1.0, 30.0, 30.0]
    assert events == ["healthy", "unhealthy"]
    assert state["Health"]["FailingStreak"] == 2


async def test_checker_skips_probes_while_paused() -> None:
    clock = FakeClock()
    state: dict[str, Any] = {"Status": "paused", "StartedAt": now_rfc3339(1000.0),
                             "Health": hc.initial()}
    probes: list[float] = []

    async def probe(c: hc.Check) -> hc.Result:
        probes.append(clock.now)
        state["Status"] = "exited"
        return hc.Result(clock.now, clock.now, 0, "")

    async def sleep(secs: float) -> None:
        await clock.sleep(secs)
        if len(clock.sleeps) == 3:
            state["Status"] = "running"

    check = hc.Check(argv=["x"], interval=5.0)
    checker = Checker(check, lambda: state if state["Status"] in ("running", "paused")
                      else None, lambda r, s: None, probe, clock.time, sleep)
    await asyncio.wait_for(checker.run(), 5)
    assert probes == [1015.0]


def test_parse_empty_commands() -> None:
    assert hc.parse({"Test": ["CMD"]}) is None
    check = hc.parse({"Test": ["CMD-SHELL"]})
    assert check is not None and check.argv == ["/bin/sh", "-c", ""]
