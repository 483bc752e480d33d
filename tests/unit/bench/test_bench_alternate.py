"""Engines take turns: every repetition runs each engine once, rotating the order."""

from __future__ import annotations

from bench.alternate import schedule


def test_two_engines_alternate_ab_ba() -> None:
    order = [e for _, e in schedule(("a", "b"), 4)]
    assert order == ["a", "b", "b", "a", "a", "b", "b", "a"]


def test_three_engines_take_each_position() -> None:
    reps: dict[int, list[str]] = {}
    for rep, engine in schedule(("a", "b", "c"), 3):
        reps.setdefault(rep, []).append(engine)
    assert [r[0] for r in reps.values()] == ["a", "b", "c"]
    assert all(sorted(r) == ["a", "b", "c"] for r in reps.values())


def test_no_engines_no_turns() -> None:
    assert list(schedule((), 5)) == []
