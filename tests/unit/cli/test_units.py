"""Sizes and durations against values docker prints (go-units)."""

from __future__ import annotations

import pytest

from berth._util.units import bytes_size, human_duration, human_size, human_size_precision


@pytest.mark.parametrize(("size", "want"), [
    (0, "0B"), (999, "999B"), (1000, "1kB"), (1234, "1.23kB"), (4_260_000, "4.26MB"),
    (123_456_789, "123MB"), (999_999, "1e+03kB"), (7_000_000_000, "7GB"),
])
def test_human_size_precision_3(size: int, want: str) -> None:
    assert human_size_precision(size, 3) == want


@pytest.mark.parametrize(("size", "want"), [
    (0, "0B"), (2048, "2.048kB"), (127_717_788, "127.7MB"), (123_456_789, "123.5MB"),
])
def test_human_size(size: int, want: str) -> None:
    assert human_size(size) == want


def test_bytes_size_binary_units() -> None:
    assert bytes_size(4_124_000_000) == "3.841GiB"
    assert bytes_size(1024) == "1KiB"


@pytest.mark.parametrize(("secs", "want"), [
    (0.5, "Less than a second"), (1, "1 second"), (59, "59 seconds"),
    (60, "About a minute"), (119, "About a minute"), (120, "2 minutes"),
    (3599, "59 minutes"), (3600, "About an hour"), (5399, "About an hour"),
    (5400, "2 hours"), (47 * 3600, "47 hours"), (48 * 3600, "2 days"),
    (14 * 86400, "2 weeks"), (60 * 86400, "2 months"), (400 * 86400, "13 months"),
    (731 * 86400, "2 years"),
])
def test_human_duration(secs: float, want: str) -> None:
    assert human_duration(secs) == want
