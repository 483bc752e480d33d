"""Summaries and ratios: medians of samples, berth/reference of medians."""

from __future__ import annotations

import pytest
from bench.stats import Summary, ratio, ratios


def test_summary_median_min_max() -> None:
    s = Summary.of([5.0, 1.0, 3.0, 9.0])
    assert (s.median, s.minimum, s.maximum, s.n) == (4.0, 1.0, 9.0, 4)


def test_summary_refuses_empty() -> None:
    with pytest.raises(ValueError):
        Summary.of([])


def test_ratio_of_medians_and_missing() -> None:
    berth, ref = Summary.of([2.0]), Summary.of([4.0])
    assert ratio(berth, ref) == 0.5
    assert ratio(None, ref) is None
    assert ratio(berth, Summary.of([0.0])) is None


def test_ratios_pairs_only_where_both_exist() -> None:
    sums = {"berth": Summary.of([3.0]), "docker": Summary.of([6.0])}
    assert ratios(sums, ["berth"], ["docker", "podman"]) == {"berth": {"docker": 0.5}}
    assert ratios(sums, ["missing"], ["docker"]) == {}


def test_no_ratio_for_negative_or_zero_medians() -> None:
    from bench.stats import Summary, ratio

    pos, neg, zero = Summary.of([2.0]), Summary.of([-0.2]), Summary.of([0.0])
    assert ratio(neg, pos) is None and ratio(pos, neg) is None and ratio(pos, zero) is None
    assert ratio(zero, pos) == 0.0
