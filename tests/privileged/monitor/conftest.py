"""Fixtures for real monitors: a spawner per test, busybox bundles, and full cleanup.

Cleanup (even on failure): SIGKILL every monitor a test made (by monitor.pid, checked
against its start time), force-delete runtime state, stop the spawner; then assert that
no runtime state, cgroup or mount of the test is left.
"""

from __future__ import annotations

import asyncio
import os
import signal
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from berth.monitor import client, records
from berth.monitor.spawnclient import SpawnerClient, start_spawner
from berth.testing.bundle import make_bundle
from berth.testing.rootfs import make_busybox_rootfs
from berth.testing.waiting import wait_for  # noqa: F401  (re-exported to the tests)


@pytest.fixture(scope="session")
def rootfs_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_busybox_rootfs(tmp_path_factory.mktemp("busybox") / "rootfs")


class Box:
    """One test's roots, spawner, and the containers it made."""

    def __init__(self, tmp: Path, template: Path) -> None:
        self.tmp, self.template = tmp, template
        self.runtime_root = tmp / "runtime"
        self.loop = asyncio.new_event_loop()
        self.spawner: SpawnerClient = start_spawner(tmp / "exec")
        self.ids: list[str] = []

    def run(self, coro: Any) -> Any:
        return self.loop.run_until_complete(coro)

    def state_dir(self, cid: str) -> Path:
        return self.tmp / "exec" / "containers" / cid

    def sock(self, cid: str) -> Path:
        return self.state_dir(cid) / records.SOCK_FILE

    def log_path(self, cid: str) -> Path:
        return self.state_dir(cid) / f"{cid}-json.log"

    def spawn(self, args: list[str], *, log: dict[str, Any] | None = None,
              bundle_changes: dict[str, Any] | None = None, cid: str = "",
              **flags: Any) -> tuple[str, dict]:
        """A new container, or with ``cid`` of an earlier one: the same id again (its
        bundle and state dir are reused, as berthd's restart does)."""
        again = bool(cid)
        cid = cid or f"bm-{uuid.uuid4().hex[:10]}"
        if not again:
            self.ids.append(cid)
            make_bundle(self.tmp / "bundles" / cid, args, rootfs_template=self.template,
                        terminal=bool(flags.get("tty")), **(bundle_changes or {}))
            self.state_dir(cid).mkdir(parents=True)
        bundle = self.tmp / "bundles" / cid
        lg = {"driver": "json-file", "path": str(self.log_path(cid))}
        lg.update(log or {})
        req = {"id": cid, "bundle": str(bundle), "runtime_root": str(self.runtime_root),
               "state_dir": str(self.state_dir(cid)), "log": lg, "tty": False,
               "stdin": False, "stdin_once": False, **flags}
        return cid, self.run(self.spawner.spawn(req))

    def spawn_ok(self, args: list[str], **kw: Any) -> str:
        cid, reply = self.spawn(args, **kw)
        assert reply["ok"], reply
        return cid

    def start(self, cid: str) -> int:
        return int(self.run(client.start(self.sock(cid))))

    def wait(self, cid: str) -> dict[str, Any]:
        return dict(self.run(asyncio.wait_for(client.wait(self.sock(cid)), 30)))

    def monitor_pid(self, cid: str) -> int | None:
        rec = records.read_pid(self.state_dir(cid))
        return rec[0] if rec and client.monitor_alive(self.state_dir(cid)) else None

    def cleanup_done(self, cid: str, timeout: float = 20.0) -> bool:
        """True once no monitor or clean-up helper holds the container's runtime dir lock
        (monitor.Setup takes it; the helper deleting the container holds it to the end)."""
        import fcntl
        import time
        try:
            fd = os.open(self.runtime_root / cid, os.O_RDONLY | os.O_DIRECTORY)
        except FileNotFoundError:
            return True
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return True
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        return False
                    time.sleep(0.005)
        finally:
            os.close(fd)

    def cleanup(self) -> None:
        from berth.runtime.ops import delete
        for cid in self.ids:
            pid = self.monitor_pid(cid)
            if pid:
                os.kill(pid, signal.SIGKILL)
            self.cleanup_done(cid)
            try:
                delete(self.runtime_root, cid, force=True)
            except Exception:
                pass
        self.run(self.spawner.close())
        self.loop.close()
        left = [c for c in self.ids if (self.runtime_root / c).exists()]
        assert not left, f"runtime state left behind: {left}"
        mounts = Path("/proc/self/mountinfo").read_text()
        assert str(self.tmp) not in mounts, "mounts left behind"
        for cid in self.ids:
            for ctrl in ("memory", "pids", "cpu", "devices", "freezer"):
                assert not (Path("/sys/fs/cgroup") / ctrl / cid).exists(), f"{ctrl}/{cid}"


@pytest.fixture
def box(tmp_path: Path, rootfs_template: Path) -> Iterator[Box]:
    b = Box(tmp_path, rootfs_template)
    try:
        yield b
    finally:
        b.cleanup()
