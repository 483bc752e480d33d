"""Fixtures: an image service over real content, native snapshots and metadata in tmp_path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from imgtest_util import Events, close_service, open_service

from berth.images import ImageService
from berth.testing.rootfs import make_busybox_tar


@pytest.fixture
def events() -> Events:
    return Events()


@pytest.fixture
def svc(tmp_path: Path, events: Events) -> Iterator[ImageService]:
    s = open_service(tmp_path / "root", events)
    yield s
    close_service(s)


@pytest.fixture(scope="session")
def busybox_tar(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("busybox")
    return make_busybox_tar(d / "rootfs.tar", d)
