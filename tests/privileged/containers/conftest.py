"""A real container service over temp roots: overlay snapshots, busybox image, spawner.

Cleanup (even on failure): SIGKILL the monitors and inits the test left, force-delete
runtime state, unmount rootfs, stop the spawner, close the stores.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from ctrtest_util import Env

from berth.content import LocalStore
from berth.images import ImageService
from berth.metadata import MetadataDB
from berth.monitor import records
from berth.monitor.spawnclient import start_spawner
from berth.mount import unmount_all
from berth.snapshots import OverlaySnapshotter, overlay_supported
from berth.testing.rootfs import make_busybox_tar


@pytest.fixture(scope="session")
def busybox_tar(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("busybox")
    return make_busybox_tar(d / "rootfs.tar", d)


@pytest.fixture
async def env(tmp_path: Path, busybox_tar: Path) -> AsyncIterator[Env]:
    root, exec_root = tmp_path / "data", tmp_path / "exec"
    root.mkdir()
    if not overlay_supported(root):
        pytest.skip("overlayfs not usable here")
    snap = OverlaySnapshotter(root / "snapshots")
    db = MetadataDB(root / "metadata.db")
    images = ImageService(root, LocalStore(root / "content"), snap, db)
    with open(busybox_tar, "rb") as f:
        images.import_image(f, repo="busybox", tag="latest", changes=['CMD ["sh"]'])
    e = Env(root, exec_root, images, snap, start_spawner(exec_root))
    try:
        yield e
    finally:
        await _cleanup(e)
        db.close()
        snap.close()


async def _cleanup(e: Env) -> None:
    from berth.runtime import delete, list_states
    for svc in e.services:
        svc.close()
    states = e.exec_root / "containers"
    for d in states.iterdir() if states.exists() else []:
        pid = records.read_pid(d)
        if pid and records.start_time(pid[0]) == pid[1]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid[0], signal.SIGKILL)
    for st in list_states(e.exec_root / "runtime") if (e.exec_root / "runtime").exists() \
            else []:
        with contextlib.suppress(Exception):
            delete(e.exec_root / "runtime", st["id"], force=True)
    for d in states.iterdir() if states.exists() else []:
        with contextlib.suppress(Exception):
            unmount_all(d / "rootfs", detach=True)
    await e.spawner.close()
