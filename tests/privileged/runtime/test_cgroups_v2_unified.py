"""V2Manager on a real cgroup2 mount: the hybrid host's ``/sys/fs/cgroup/unified`` (or a pure
v2 root). Core files (cgroup.procs, cgroup.freeze, cgroup.events) work there even without
controllers, so lifecycle, freeze and removal run for real; limits are in the fake-tree tests.
"""

from __future__ import annotations

import os
import signal
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from berth.errdefs import FailedPrecondition
from berth.runtime.cgroups import V2Manager, from_paths
from berth.runtime.cgroups.detect import detect

pytestmark = pytest.mark.root


def _cgroup2_mount() -> Path | None:
    try:
        layout = detect(Path("/sys/fs/cgroup"), Path("/proc"))
    except Exception:
        return None
    return layout.unified.mountpoint if layout.unified else None


MOUNT = _cgroup2_mount()
if MOUNT is None:
    pytest.skip("no cgroup2 mount on this host", allow_module_level=True)


@pytest.fixture
def mgr() -> Iterator[V2Manager]:
    assert MOUNT is not None
    m = V2Manager(MOUNT / f"berth-test-{uuid.uuid4().hex[:10]}" / "ctr", MOUNT)
    m.create()
    try:
        yield m
    finally:
        if m.exists():
            if m.frozen():
                m.thaw()
            for pid in m.pids():
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            m.destroy(timeout=10)
        os.rmdir(Path(m.path).parent)


def test_apply_freeze_thaw_destroy(mgr: V2Manager) -> None:
    p = subprocess.Popen(["busybox", "sh", "-c", "while true; do echo tick; done"],
                         stdout=subprocess.PIPE)
    try:
        mgr.apply(p.pid)
        assert mgr.pids() == [p.pid]
        assert p.stdout is not None
        p.stdout.readline()
        mgr.freeze(timeout=5)
        assert mgr.frozen()
        assert (Path(mgr.path) / "cgroup.freeze").read_text().strip() == "1"
        mgr.thaw()
        assert not mgr.frozen()
        assert p.stdout.readline() == b"tick\n"
        with pytest.raises(FailedPrecondition, match="processes still inside"):
            mgr.destroy(timeout=0.05)
    finally:
        p.kill()
        p.wait()
    mgr.destroy()
    assert not mgr.exists()
    assert from_paths(mgr.paths(), mgr.mount_root).paths() == {"": str(mgr.path)}
