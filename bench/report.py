"""Results as a markdown table (for people and RESULTS.md) and JSON (for tools)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bench.runner import RowResult
from bench.stats import Summary


def _fmt(x: float) -> str:
    return f"{x:.1f}" if abs(x) >= 10 else f"{x:.2f}"


def cell(text: str) -> str:
    """One table cell: a single line, pipes escaped, long text cut."""
    flat = " / ".join(part.strip() for part in text.splitlines() if part.strip())
    return flat.replace("|", "\\|")[:240]


def _ratio_text(ratios: dict[str, float]) -> str:
    return ", ".join(f"{v:.2f}x {ref}" for ref, v in ratios.items())


def _lines(r: RowResult) -> list[str]:
    """Table lines of one row: a line per (metric, engine), then engines without figures."""
    label = r.name
    if r.error:
        return [f"| {label} | | all | — | | | | {cell(r.error)} |"]
    out = []
    sums, rats = r.summaries(), r.ratios()
    for metric, by_engine in sums.items():
        name = f"{label} {metric}".strip()
        for engine in r.engines_in_order():
            s: Summary | None = by_engine.get(engine)
            if s is None:
                continue
            ratio = _ratio_text(rats.get(metric, {}).get(engine, {}))
            out.append(f"| {name} | {r.unit} | {engine} | {_fmt(s.median)} | {_fmt(s.minimum)} "
                       f"| {_fmt(s.maximum)} | {s.n} | {ratio} |")
        for engine, why in r.part_reasons.get(metric, {}).items():
            if engine not in r.reasons:
                out.append(f"| {name} | | {engine} | — | | | | {cell(why)} |")
    for metric in r.part_reasons.keys() - sums.keys():  # a part nobody could measure
        for engine, why in r.part_reasons[metric].items():
            if engine not in r.reasons:
                out.append(f"| {label} {metric} | | {engine} | — | | | | {cell(why)} |")
    for engine in r.engines_in_order():
        if engine in r.reasons:
            out.append(f"| {label} | | {engine} | — | | | | {cell(r.reasons[engine])} |")
    return out


HEADER = ["| row | unit | engine | median | min | max | n | berth/reference (or why not) |",
          "|---|---|---|---:|---:|---:|---:|---|"]


def markdown(results: Sequence[RowResult], machine: dict[str, Any]) -> str:
    """The whole report: machine line, table, targets and notes."""
    versions = "; ".join(f"{k} {v}" for k, v in machine.get("versions", {}).items())
    head = (f"Machine: {machine.get('nproc')} CPUs, {machine.get('memory')}, kernel "
            f"{machine.get('kernel')}, {machine.get('os')}, cgroups {machine.get('cgroups')}, "
            f"load {machine.get('loadavg')}.\n\nVersions: {versions}.\n")
    table = [*HEADER]
    for r in results:
        table += _lines(r)
    notes = [f"- **{r.name}** ({r.title}, {r.seconds:.0f} s)"
             + (f" — target: {r.target}" if r.target else "")
             + (f". {r.notes}" if r.notes else "") for r in results]
    return "\n".join([head, *table, "", "Rows:", *notes, ""])


def _figures(r: RowResult) -> dict[str, Any]:
    """metric → engine → summary and samples; the unnamed metric is called "value"."""
    return {m or "value": {e: {"median": s.median, "min": s.minimum, "max": s.maximum, "n": s.n,
                               "samples": r.samples[e][m]} for e, s in by.items()}
            for m, by in r.summaries().items()}


def as_json(results: Sequence[RowResult], machine: dict[str, Any]) -> dict[str, Any]:
    """Every figure, sample and ratio, plus the reasons for missing ones."""
    rows = []
    for r in results:
        rows.append({"name": r.name, "title": r.title, "unit": r.unit, "subjects": r.subjects,
                     "references": r.references, "target": r.target, "notes": r.notes,
                     "figures": _figures(r),
                     "ratios": {m or "value": v for m, v in r.ratios().items()},
                     "unavailable": r.reasons,
                     "unavailable_parts": {m or "value": v for m, v in r.part_reasons.items()},
                     "error": r.error,
                     "seconds": round(r.seconds, 1)})
    return {"machine": machine, "rows": rows}


def dumps(results: Sequence[RowResult], machine: dict[str, Any]) -> str:
    """JSON text of ``as_json``."""
    return json.dumps(as_json(results, machine), indent=1, ensure_ascii=False)
