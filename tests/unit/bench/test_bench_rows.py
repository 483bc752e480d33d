"""Row discovery and selection; memory parsing from a fake /proc."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench import rows
from bench.memory import tree_mib


def test_every_row_is_complete_and_unique() -> None:
    found = rows.discover()
    names = [r.name for r in found]
    assert len(names) == len(set(names)) and "runtime_run_true" in names
    for r in found:
        row = r()
        assert row.title and row.subjects and row.references and row.repeat >= row.quick_repeat


def test_select_by_name_quick_and_unknown() -> None:
    assert [r.name for r in rows.select(["images_list"], quick=False)] == ["images_list"]
    quick = rows.select(None, quick=True)
    assert quick and all(r.in_quick for r in quick)
    with pytest.raises(ValueError):
        rows.select(["no_such_row"], quick=False)


def test_tree_mib_sums_pss_and_rss(tmp_path: Path) -> None:
    for pid, pss in ((1, 1024), (2, 2048)):
        (tmp_path / str(pid)).mkdir()
        (tmp_path / str(pid) / "smaps_rollup").write_text(
            f"00400000-7ff [rollup]\nRss:  {pss * 2} kB\nPss:  {pss} kB\n")
    assert tree_mib([1, 2, 3], proc=tmp_path) == {"pss": 3.0, "rss": 6.0}
