"""Shares the unit fixtures' busybox tarball."""

from __future__ import annotations

from pathlib import Path

import pytest

from berth.testing.rootfs import make_busybox_tar


@pytest.fixture(scope="session")
def busybox_tar(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("busybox")
    return make_busybox_tar(d / "rootfs.tar", d)
