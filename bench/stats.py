"""Summaries of repeated samples and the berth/reference ratios derived from them."""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Summary:
    """Median, min and max of one engine's samples of one figure."""

    median: float
    minimum: float
    maximum: float
    n: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Summary:
        """Summarise ``values`` (at least one)."""
        if not values:
            raise ValueError("no samples to summarise")
        return cls(statistics.median(values), min(values), max(values), len(values))


def ratio(subject: Summary | None, reference: Summary | None) -> float | None:
    """subject/reference of the medians, or None when either is missing, the reference is not
    positive or the subject is negative (a growth that shrank has no meaningful ratio)."""
    if subject is None or reference is None or reference.median <= 0 or subject.median < 0:
        return None
    return subject.median / reference.median


def ratios(summaries: Mapping[str, Summary], subjects: Sequence[str],
           references: Sequence[str]) -> dict[str, dict[str, float]]:
    """{subject: {reference: ratio}} for every pair where both have a figure."""
    out: dict[str, dict[str, float]] = {}
    for s in subjects:
        pairs = {r: ratio(summaries.get(s), summaries.get(r)) for r in references}
        kept = {r: v for r, v in pairs.items() if v is not None}
        if kept:
            out[s] = kept
    return out
