"""Markdown and JSON output: every figure, ratio and reason appears, in one line per cell."""

from __future__ import annotations

import json

from bench.report import as_json, cell, dumps, markdown
from bench.runner import RowResult

MACHINE = {"nproc": 2, "memory": "1 GiB", "kernel": "6.18", "os": "Debian", "cgroups": "v1",
           "loadavg": "0 0 0", "versions": {"runc": "1.1.5"}}


def result() -> RowResult:
    r = RowResult("run_rm_true", "run", "ms", ("berth",), ("docker", "podman"), "<= 0.3x")
    r.samples = {"berth": {"": [10.0, 30.0, 20.0]}, "docker": {"": [100.0, 80.0, 90.0]}}
    r.reasons = {"podman": "podman: not installed\nsecond | line"}
    return r


def test_markdown_has_figures_ratio_and_reason() -> None:
    text = markdown([result()], MACHINE)
    assert "| run_rm_true | ms | berth | 20.0 | 10.0 | 30.0 | 3 | 0.22x docker |" in text
    assert "| run_rm_true | ms | docker | 90.0 | 80.0 | 100.0 | 3 |  |" in text
    assert "podman: not installed / second \\| line" in text
    assert "2 CPUs" in text and "runc 1.1.5" in text


def test_json_round_trips_with_samples_and_ratios() -> None:
    data = json.loads(dumps([result()], MACHINE))
    row = data["rows"][0]
    assert row["figures"]["value"]["berth"]["samples"] == [10.0, 30.0, 20.0]
    assert row["ratios"]["value"]["berth"]["docker"] == 20.0 / 90.0
    assert row["unavailable"]["podman"].startswith("podman: not installed")
    assert as_json([], MACHINE)["rows"] == []


def test_row_error_is_one_line() -> None:
    r = RowResult("x", "x", "ms", ("berth",), ("tar",), error="missing\ntarball")
    assert "| x | | all | — | | | | missing / tarball |" in markdown([r], MACHINE)


def test_cell_flattens_and_cuts() -> None:
    assert cell("a\n\n b |c") == "a / b \\|c"
    assert len(cell("x" * 1000)) == 240
