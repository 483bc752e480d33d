"""Fixtures for privileged mount tests: every mountpoint is unmounted in teardown."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from berth.mount import unmount_all


@pytest.fixture
def mountpoint(tmp_path: Path) -> Iterator[Path]:
    """An empty directory that is guaranteed to carry no mounts after the test."""
    target = tmp_path / "mnt"
    target.mkdir()
    try:
        yield target
    finally:
        unmount_all(target, detach=True)
