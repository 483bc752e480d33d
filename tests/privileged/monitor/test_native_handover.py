"""The native monitor through the real spawner and runtime: the hand-over (same pid,
same start time), memory, OOM, poststart hooks, the clean-up after the exit racing a
restart of the same id and berthd's own delete, and a monitor killed with SIGKILL."""

from __future__ import annotations

import contextlib
import json
import os
import signal
from pathlib import Path
from typing import Any

import pytest

from berth.errdefs import NotFound
from berth.monitor import client, records
from berth.runtime.ops import delete
from berth.testing.waiting import wait_for

pytestmark = pytest.mark.root


def _rollup(pid: int) -> dict[str, int]:
    text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    return {k: int(v.split()[0]) for k, v in
            (line.split(":", 1) for line in text.splitlines()[1:])}


def test_monitor_is_native_same_pid_and_small(box: Any) -> None:
    cid, reply = box.spawn(["sleep", "100"])
    assert reply["ok"], reply
    box.start(cid)
    pid = reply["monitor_pid"]
    wait_for(lambda: os.path.basename(os.readlink(f"/proc/{pid}/exe")) == "berth-monitor",
             what="the hand-over")
    assert records.read_pid(box.state_dir(cid)) == (pid, records.start_time(pid))
    assert client.monitor_alive(box.state_dir(cid))
    fields = _rollup(pid)
    print(f"\nnative monitor {pid}: Pss {fields['Pss']} kB, "
          f"private dirty {fields['Private_Dirty']} kB")
    assert fields["Pss"] < 1024  # issue 4: at most 1 MiB per container
    box.run(client.signal(box.sock(cid), signal.SIGKILL))
    assert box.wait(cid)["exit_code"] == 137


def test_real_oom_kill_is_reported(box: Any) -> None:
    limit = 16 << 20
    cid = box.spawn_ok(["tail", "/dev/zero"], bundle_changes={"linux": {
        "resources": {"memory": {"limit": limit, "swap": limit}},
        "namespaces": [{"type": t} for t in ("pid", "ipc", "uts", "mount", "network")]}})
    box.start(cid)
    rec = box.wait(cid)
    assert rec["exit_code"] == 137 and rec["oom_killed"] is True, rec


def test_poststart_hook_runs_before_start_returns(box: Any, tmp_path: Path) -> None:
    mark = tmp_path / "poststart.json"
    hooks = {"poststart": [{"path": "/bin/sh",
                            "args": ["sh", "-c", f"cat > {mark}.tmp && mv {mark}.tmp {mark}"]}]}
    cid = box.spawn_ok(["sleep", "100"], bundle_changes={"hooks": hooks})
    pid = box.start(cid)
    assert mark.exists()  # the start op answered after the hook ran
    assert f'"pid": {pid}' in mark.read_text() or f'"pid":{pid}' in mark.read_text()
    box.run(client.signal(box.sock(cid), signal.SIGKILL))
    assert box.wait(cid)["exit_code"] == 137


def test_same_id_again_right_after_the_exit(box: Any) -> None:
    """A restart creates the id while the last run's clean-up may still be deleting it:
    the create waits for the clean-up's lock, and the new container is not touched."""
    cid = box.spawn_ok(["sh", "-c", "exit 3"])
    for _ in range(3):
        box.start(cid)
        assert box.wait(cid)["exit_code"] == 3
        _cid, reply = box.spawn(["sh", "-c", "exit 3"], cid=cid)
        assert reply["ok"], reply
    box.start(cid)
    assert box.wait(cid)["exit_code"] == 3
    assert box.cleanup_done(cid)
    assert not (box.runtime_root / cid).exists()


def test_berthd_delete_racing_the_cleanup_is_harmless(box: Any) -> None:
    """``docker rm`` right after the exit: berthd's delete(force) and the monitor's
    clean-up both delete; neither fails, nothing is left."""
    for _ in range(3):
        cid = box.spawn_ok(["true"])
        box.start(cid)
        assert box.wait(cid)["exit_code"] == 0
        for _ in range(3):  # as berthd's teardown, which suppresses only BerthError
            with contextlib.suppress(NotFound):  # the clean-up was first
                delete(box.runtime_root, cid, force=True)
        # NotFound can come between delete.c's unlink of state.json and its rmdir: the
        # dir is gone once the clean-up lets go of its lock, not before
        assert box.cleanup_done(cid)
        assert not (box.runtime_root / cid).exists()
        assert not Path(f"/sys/fs/cgroup/memory/{cid}").exists()


def test_monitor_killed_leaves_the_container_running(box: Any) -> None:
    cid, reply = box.spawn(["sleep", "100"])
    assert reply["ok"], reply
    init = box.start(cid)
    os.kill(reply["monitor_pid"], signal.SIGKILL)
    wait_for(lambda: not client.monitor_alive(box.state_dir(cid)), what="monitor gone")
    assert records.start_time(init) is not None  # the container runs on
    rec = box.wait(cid)
    assert rec["exit_code"] == 255 and "monitor" in rec["error"]
    os.kill(init, signal.SIGKILL)


def test_native_delete_removes_every_cgroup_dir_and_the_state(box: Any) -> None:
    """No poststop hooks: berth-monitor itself deletes after the exit (native/delete.c):
    each recorded cgroup dir (every v1 hierarchy, the unified one) and the state dir."""
    cid = box.spawn_ok(["sleep", "100"])
    box.start(cid)
    state = json.loads((box.runtime_root / cid / "state.json").read_text())
    dirs = set(state["cgroupPaths"].values())
    assert dirs and all(Path(d).is_dir() for d in dirs)
    box.run(client.signal(box.sock(cid), signal.SIGKILL))
    assert box.wait(cid)["exit_code"] == 137
    assert box.cleanup_done(cid)
    assert not (box.runtime_root / cid).exists()
    assert not [d for d in dirs if Path(d).exists()]


def test_poststop_hook_runs_in_the_helper_after_the_exit(box: Any, tmp_path: Path) -> None:
    """Poststop hooks keep the Python clean-up (berth.runtime's delete runs them)."""
    mark = tmp_path / "poststop.json"
    hooks = {"poststop": [{"path": "/bin/sh",
                           "args": ["sh", "-c", f"cat > {mark}.tmp && mv {mark}.tmp {mark}"]}]}
    cid = box.spawn_ok(["true"], bundle_changes={"hooks": hooks})
    box.start(cid)
    assert box.wait(cid)["exit_code"] == 0
    wait_for(mark.exists, what="the poststop hook")
    assert json.loads(mark.read_text())["id"] == cid
    assert box.cleanup_done(cid)
    assert not (box.runtime_root / cid).exists()
