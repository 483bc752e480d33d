"""ForwardCheck's bookkeeping: it lists the FORWARD chains only when an nftables commit
other than berth's own happened since the last good check, and re-applies when berth's
accepts are gone."""

from __future__ import annotations

import threading
from typing import Any

from berth.network import fwcheck


class FakeNf:
    broken = False

    def __init__(self) -> None:
        self.gen = 7
        self.rules: dict[str, list[int]] = {"ip": [3]}

    def generation(self) -> int:
        return self.gen

    def close(self) -> None:
        pass


class FakeCore:
    comment = "berth"

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._fw: Any = (("berth0",), ("ip",))
        self.synced = 0

    def sync_rules(self) -> None:
        self.synced += 1
        self._fw = (("berth0",), ("ip",))


def make(monkeypatch: Any) -> tuple[fwcheck.ForwardCheck, FakeNf, list[int]]:
    nf = FakeNf()
    lists: list[int] = []

    def listing(self: fwcheck.ForwardCheck) -> dict[str, list[int]]:
        lists.append(nf.gen)
        return dict(nf.rules)

    monkeypatch.setattr(fwcheck.ForwardCheck, "listing", listing)
    fc = fwcheck.ForwardCheck.__new__(fwcheck.ForwardCheck)
    fc.core, fc.nf, fc._checked, fc._timer = FakeCore(), nf, None, None
    fc._mutex = threading.Lock()
    return fc, nf, lists


def test_unchanged_generation_lists_nothing(monkeypatch: Any) -> None:
    fc, _, lists = make(monkeypatch)
    assert fc.check() is False and lists == [7]
    fc.soon()
    assert fc._timer is None  # nothing scheduled: generation 7 was found good


def test_berths_own_commit_keeps_the_state_checked(monkeypatch: Any) -> None:
    fc, nf, _ = make(monkeypatch)
    fc.check()
    with fc.applying():
        nf.gen += 1
    fc.soon()
    assert fc._timer is None
    with fc.applying():
        nf.gen += 2  # someone else committed too
    assert fc._checked is None


def test_foreign_commit_schedules_one_check(monkeypatch: Any) -> None:
    fc, nf, _ = make(monkeypatch)
    monkeypatch.setattr(fwcheck, "DELAY", 3600.0)
    fc.check()
    nf.gen += 1
    fc.soon()
    first = fc._timer
    fc.soon()
    assert first is not None and fc._timer is first  # coalesced
    fc.close()


def test_missing_accepts_are_reapplied(monkeypatch: Any) -> None:
    fc, nf, _ = make(monkeypatch)
    nf.rules = {"ip": [], "ip6": []}
    assert fc.check() is True and fc.core.synced == 1
    nf.rules = {"ip": [4]}
    assert fc.check() is False and fc.core.synced == 1
