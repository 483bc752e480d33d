"""Parts that are missing for one engine (a verb not implemented yet): reasons, no partials."""

from __future__ import annotations

import json
from pathlib import Path

from bench import report
from bench.context import Context
from bench.core import Missing, Row, Sample
from bench.runner import run_row


class Parts(Row):
    name = "parts"
    title = "parts row"
    subjects = ("berth",)
    references = ("docker",)

    def __init__(self, flaky: bool = False) -> None:
        self.flaky = flaky
        self.n = 0

    def measure(self, engine: str) -> Sample:
        self.n += 1
        if engine == "berth":
            late_gap = self.flaky and self.n > 4
            return {"create": 1.0,
                    "exec": Missing("not yet implemented: exec") if late_gap or not self.flaky
                    else 3.0}
        return {"create": 2.0, "exec": 4.0}


def test_missing_part_gets_a_reason_and_other_parts_count(tmp_path: Path) -> None:
    result = run_row(Parts(), Context(tmp_path), 3)
    assert result.samples["berth"] == {"create": [1.0, 1.0, 1.0]}
    assert result.part_reasons == {"exec": {"berth": "not yet implemented: exec"}}
    assert result.ratios()["create"] == {"berth": {"docker": 0.5}}
    assert "exec" not in result.ratios() or "berth" not in result.ratios()["exec"]
    text = report.markdown([result], {})
    assert "| parts exec | | berth | — | | | | not yet implemented: exec |" in text
    data = json.loads(report.dumps([result], {}))
    assert data["rows"][0]["unavailable_parts"] == {"exec": {"berth": "not yet implemented: exec"}}


def test_part_missing_mid_run_keeps_no_partial_samples(tmp_path: Path) -> None:
    result = run_row(Parts(flaky=True), Context(tmp_path), 4)
    assert "exec" not in result.samples["berth"]
    assert result.samples["berth"]["create"] == [1.0] * 4
    assert result.samples["docker"]["exec"] == [4.0] * 4


def test_part_nobody_measured_still_reported(tmp_path: Path) -> None:
    class Nobody(Parts):
        def measure(self, engine: str) -> Sample:
            return {"t": 1.0, "gone": Missing(f"{engine}: no")}

    result = run_row(Nobody(), Context(tmp_path), 1)
    text = report.markdown([result], {})
    assert "| parts gone | | berth | — | | | | berth: no |" in text
    assert "| parts gone | | docker | — | | | | docker: no |" in text
