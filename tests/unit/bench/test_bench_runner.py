"""The runner with fake rows: alternation, warm-up, failures and reasons, teardown."""

from __future__ import annotations

from pathlib import Path

from bench.context import Context
from bench.core import Row, Sample, Unavailable
from bench.runner import run_row


class Fake(Row):
    name = "fake"
    title = "fake row"
    subjects = ("berth",)
    references = ("docker", "podman")
    warmup = 1

    def __init__(self, values: dict[str, float], broken: str = "", gone: str = "") -> None:
        self.values, self.broken, self.gone = values, broken, gone
        self.calls: list[str] = []
        self.torn = False

    def setup(self, ctx: Context) -> dict[str, str]:
        return {self.gone: "podman: not installed"} if self.gone else {}

    def measure(self, engine: str) -> Sample:
        self.calls.append(engine)
        if engine == self.broken and len(self.calls) > 3:
            raise RuntimeError("boom")
        return self.values[engine]

    def teardown(self) -> None:
        self.torn = True


def ctx(tmp_path: Path) -> Context:
    return Context(tmp_path)


def test_samples_ratios_and_warmup(tmp_path: Path) -> None:
    row = Fake({"berth": 1.0, "docker": 4.0, "podman": 2.0})
    result = run_row(row, ctx(tmp_path), 3)
    assert row.calls[:3] == ["berth", "docker", "podman"]  # warm-up, not recorded
    assert len(row.calls) == 3 + 9
    assert result.samples["berth"][""] == [1.0, 1.0, 1.0]
    assert result.ratios()[""] == {"berth": {"docker": 0.25, "podman": 0.5}}
    assert row.torn


def test_unavailable_engine_keeps_reason_and_others_run(tmp_path: Path) -> None:
    row = Fake({"berth": 1.0, "docker": 2.0}, gone="podman")
    result = run_row(row, ctx(tmp_path), 2)
    assert result.reasons == {"podman": "podman: not installed"}
    assert "podman" not in row.calls
    assert result.ratios()[""] == {"berth": {"docker": 0.5}}


def test_engine_failing_mid_run_drops_its_partial_figures(tmp_path: Path) -> None:
    row = Fake({"berth": 1.0, "docker": 2.0, "podman": 3.0}, broken="docker")
    result = run_row(row, ctx(tmp_path), 3)
    assert result.reasons["docker"].startswith("failed: RuntimeError: boom")
    assert "docker" not in result.samples
    assert result.samples["podman"][""] == [3.0, 3.0, 3.0]


def test_named_parts_are_separate_figures(tmp_path: Path) -> None:
    class Parts(Fake):
        def measure(self, engine: str) -> Sample:
            return {"save": 1.0, "load": 2.0}

    result = run_row(Parts({}), ctx(tmp_path), 2)
    assert set(result.summaries()) == {"save", "load"}


def test_row_that_cannot_set_up_reports_why(tmp_path: Path) -> None:
    class NoSetup(Fake):
        def setup(self, ctx: Context) -> dict[str, str]:
            raise Unavailable("debian tarball missing")

    row = NoSetup({})
    result = run_row(row, ctx(tmp_path), 2)
    assert result.error == "debian tarball missing"
    assert row.torn and not result.samples


def test_missing_verb_reads_as_not_yet_implemented() -> None:
    from bench.runner import explain

    assert explain(RuntimeError("berth: unknown command: berth run")).startswith(
        "not yet implemented: berth: unknown command")
    assert explain(RuntimeError("exit 1")) == "failed: RuntimeError: exit 1"
