"""kill --all, pause/resume through the freezer, delete --force of a running container,
and the in-process API used from a warm process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from tests.privileged.runtime.conftest import Runtime, read_proc, wait_for

pytestmark = pytest.mark.root


def _gone(pid: int) -> bool:
    stat = read_proc(f"/proc/{pid}/stat")
    return not stat or stat[stat.rindex(b")") + 2:].startswith(b"Z")


def _no_pid_namespace(cfg: dict[str, Any]) -> None:
    # without a pid namespace, killing the init alone would leave its children running
    cfg["linux"]["namespaces"] = [n for n in cfg["linux"]["namespaces"] if n["type"] != "pid"]


def test_kill_all_signals_every_process_in_the_cgroup(rt: Runtime) -> None:
    cid = rt.new_id()
    b = rt.edit(rt.bundle(["sh", "-c", "sleep 1000 & sleep 1000 & wait"]), _no_pid_namespace)
    rt.cli("run", "-d", "--bundle", str(b), cid)
    wait_for(lambda: len(json.loads(rt.cli("ps", "--format", "json", cid).stdout)) == 3)
    pids = json.loads(rt.cli("ps", "--format", "json", cid).stdout)
    rt.cli("kill", "--all", cid, "KILL")
    wait_for(lambda: all(_gone(p) for p in pids))
    wait_for(lambda: rt.state(cid)["status"] == "stopped")
    rt.cli("delete", cid)


def test_pause_and_resume_drive_the_freezer(rt: Runtime) -> None:
    cid = rt.new_id()
    rt.cli("run", "-d", "--bundle", str(rt.bundle(["sleep", "1000"])), cid)
    freezer = Path("/sys/fs/cgroup/freezer") / cid / "freezer.state"
    rt.cli("pause", cid)
    assert rt.state(cid)["status"] == "paused"
    assert read_proc(str(freezer)).strip() == b"FROZEN"
    rt.cli("resume", cid)
    assert rt.state(cid)["status"] == "running"
    assert read_proc(str(freezer)).strip() == b"THAWED"
    rt.cli("delete", "--force", cid)


def test_delete_force_of_running_container_leaves_nothing(rt: Runtime) -> None:
    cid = rt.new_id()
    b = rt.bundle(["sh", "-c", "sleep 1000 & sleep 1000"])
    rt.cli("run", "-d", "--bundle", str(b), cid)
    saved = json.loads((rt.root / cid / "state.json").read_text())
    pids = json.loads(rt.cli("ps", "--format", "json", cid).stdout)
    cgroups = list(saved["cgroupPaths"].values())
    assert pids and cgroups and all(os.path.isdir(d) for d in cgroups)
    rt.cli("delete", "--force", cid)
    assert not (rt.root / cid).exists()
    assert [d for d in cgroups if os.path.exists(d)] == []
    assert all(_gone(p) for p in pids)
    with open("/proc/self/mountinfo") as f:
        assert str(b / "rootfs") not in f.read()


def test_run_in_process_repeatedly_from_one_process(rt: Runtime) -> None:
    ok = rt.bundle(["true"])
    fails = rt.bundle(["sh", "-c", "exit 3"])
    script = textwrap.dedent(f"""
        import json, sys
        from berth.runtime import run_in_process
        codes = [run_in_process({str(rt.root)!r}, f"{{sys.argv[1]}}-{{i}}", b)
                 for i, b in enumerate([{str(ok)!r}, {str(fails)!r}, {str(ok)!r}])]
        print(json.dumps(codes))
    """)
    base = rt.new_id()
    rt.ids.extend(f"{base}-{i}" for i in range(3))
    res = subprocess.run([sys.executable, "-c", script, base], capture_output=True,
                         text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout) == [0, 3, 0]
    assert not [p for p in rt.root.iterdir() if p.name.startswith(base)]
