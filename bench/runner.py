"""Runs one row: set up, warm up, alternate engines, collect samples, tear down."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from bench.alternate import schedule
from bench.context import Context
from bench.core import Missing, Row, Sample, Unavailable
from bench.stats import Summary, ratios

log = logging.getLogger("bench")


@dataclass
class RowResult:
    """Everything the reports need about one row."""

    name: str
    title: str
    unit: str
    subjects: tuple[str, ...]
    references: tuple[str, ...]
    target: str = ""
    notes: str = ""
    samples: dict[str, dict[str, list[float]]] = field(default_factory=dict)  # engine→metric→xs
    reasons: dict[str, str] = field(default_factory=dict)  # engine → why it has no figure
    part_reasons: dict[str, dict[str, str]] = field(default_factory=dict)  # metric→engine→why
    error: str = ""  # why the whole row could not run
    seconds: float = 0.0

    def engines_in_order(self) -> tuple[str, ...]:
        """Subjects first, then references."""
        return self.subjects + self.references

    def summaries(self) -> dict[str, dict[str, Summary]]:
        """metric → engine → Summary."""
        out: dict[str, dict[str, Summary]] = {}
        for engine, metrics in self.samples.items():
            for metric, xs in metrics.items():
                if xs:
                    out.setdefault(metric, {})[engine] = Summary.of(xs)
        return out

    def ratios(self) -> dict[str, dict[str, dict[str, float]]]:
        """metric → subject → reference → ratio of medians."""
        return {m: ratios(s, self.subjects, self.references)
                for m, s in self.summaries().items()}


def as_parts(sample: Sample) -> Mapping[str, float | Missing]:
    """A sample as named parts; a bare number is the part named ''."""
    return {"": float(sample)} if isinstance(sample, int | float) else sample


def _record(result: RowResult, engine: str, sample: Sample) -> None:
    """Keep the figures; a Missing part gives that (metric, engine) its reason."""
    for metric, value in as_parts(sample).items():
        if isinstance(value, Missing):
            result.part_reasons.setdefault(metric, {}).setdefault(engine, value.reason)
        else:
            result.samples.setdefault(engine, {}).setdefault(metric, []).append(float(value))


def _drop_partial(result: RowResult) -> None:
    """An engine with a reason keeps no figure; a part missing once keeps none of its samples."""
    for engine in list(result.samples):
        if engine in result.reasons:
            del result.samples[engine]
    for metric, engines in result.part_reasons.items():
        for engine in engines:
            result.samples.get(engine, {}).pop(metric, None)


NOT_YET = ("unknown command", "not implemented", "notimplemented", "no such option")


def explain(e: Exception) -> str:
    """A one-line reason; a verb or API the engine lacks reads as "not yet implemented"."""
    text = f"{type(e).__name__}: {e}"
    if any(marker in text.lower() for marker in NOT_YET):
        return f"not yet implemented: {e}"[:300]
    return f"failed: {text}"[:300]


def _try(row: Row, engine: str, result: RowResult, keep: bool) -> bool:
    """Measure once; on failure give the engine a reason and return False."""
    try:
        sample = row.measure(engine)
    except Unavailable as e:
        result.reasons[engine] = str(e)
        return False
    except Exception as e:  # a failing engine must not sink the others
        result.reasons[engine] = explain(e)
        log.warning("%s/%s: %s", row.name, engine, result.reasons[engine])
        return False
    if keep:
        _record(result, engine, sample)
    else:  # a warm-up's missing parts are reasons too (the part will not appear later)
        for metric, value in as_parts(sample).items():
            if isinstance(value, Missing):
                result.part_reasons.setdefault(metric, {}).setdefault(engine, value.reason)
    return True


def run_row(row: Row, ctx: Context, repeat: int) -> RowResult:
    """Run ``row`` ``repeat`` times per engine, alternating; never raises for engine failures."""
    result = RowResult(row.name, row.title, row.unit, row.subjects, row.references,
                       row.target, row.notes)
    started = time.monotonic()
    try:
        result.reasons.update(row.setup(ctx))
        live = [e for e in row.engines if e not in result.reasons]
        for engine in list(live):
            for _ in range(row.warmup):
                if not _try(row, engine, result, keep=False):
                    live.remove(engine)
                    break
        for _, engine in schedule(tuple(live), repeat):
            if engine not in result.reasons:
                _try(row, engine, result, keep=True)
    except Unavailable as e:
        result.error = str(e)
    except Exception as e:
        result.error = f"failed: {type(e).__name__}: {e}"[:400]
        log.exception("row %s", row.name)
    finally:
        try:
            row.teardown()
        except Exception:
            log.exception("teardown of %s", row.name)
    _drop_partial(result)  # an engine (or part) that failed mid-run keeps no partial figure
    result.seconds = time.monotonic() - started
    return result
