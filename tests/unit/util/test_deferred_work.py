"""``berth._util.deferred.Deferred``: work off the caller's path, in order, best effort."""

from __future__ import annotations

from pathlib import Path

from berth._util import fsutil
from berth._util.deferred import Deferred
from berth.testing.waiting import wait_for


def test_jobs_run_in_order_and_a_failing_one_does_not_stop_the_rest() -> None:
    d = Deferred(0.0, "test-deferred")
    done: list[int] = []

    def boom() -> None:
        raise RuntimeError("ignored")

    try:
        d.later(lambda: done.append(1))
        d.later(boom)
        d.later(lambda: done.append(2))
        wait_for(lambda: done == [1, 2] and d.pending() == 0, 10, "both jobs run")
    finally:
        d.close()


def test_close_drops_what_is_pending_and_later_is_ignored_after() -> None:
    d = Deferred(3600.0, "test-deferred-late")
    ran: list[int] = []
    d.later(lambda: ran.append(1))
    assert d.pending() == 1
    d.close()
    d.later(lambda: ran.append(2))
    assert d.pending() == 0 and ran == []


def test_remove_later_renames_at_once_and_deletes_in_the_background(tmp_path: Path) -> None:
    tree = tmp_path / "ctr"
    (tree / "a" / "b").mkdir(parents=True)
    (tree / "a" / "b" / "f").write_text("x")
    fsutil.remove_later(tree)
    assert not tree.exists()  # gone from its name before the call returns
    wait_for(lambda: list(tmp_path.iterdir()) == [], 10, "the trash deleted")
    fsutil.remove_later(tmp_path / "missing")  # nothing there: nothing to do


def test_sweep_trash_removes_only_trash(tmp_path: Path) -> None:
    (tmp_path / ".rm-old" / "x").mkdir(parents=True)
    (tmp_path / "keep").mkdir()
    fsutil.sweep_trash(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["keep"]
