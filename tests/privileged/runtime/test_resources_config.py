"""linux.resources from config.json, checked from inside busybox containers: a memory
limit that OOM-kills (and is reported by ``events``), a pids limit that stops fork,
``update`` of a running container's memory limit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.privileged.runtime.conftest import Runtime, read_proc, wait_for

pytestmark = pytest.mark.root

#: doubles a shell string until the memory limit stops it
HOG = "a=xxxxxxxxxxxxxxxx; while :; do a=$a$a; done"
MEMORY = Path("/sys/fs/cgroup/memory")


def _limit_memory(limit: int) -> Any:
    def edit(cfg: dict[str, Any]) -> None:
        cfg["linux"]["resources"]["memory"] = {"limit": limit, "swap": limit}
    return edit


def test_memory_limit_oom_kills_with_sigkill(rt: Runtime) -> None:
    b = rt.edit(rt.bundle(["sh", "-c", HOG]), _limit_memory(32 << 20))
    res = rt.run([], bundle=b, check=False, timeout=60)
    assert res.returncode == 128 + 9, (res.returncode, res.stderr)


def test_oom_kill_is_reported_by_events(rt: Runtime) -> None:
    b = rt.edit(rt.bundle(["sh", "-c", HOG]), _limit_memory(32 << 20))
    cid = rt.new_id()
    rt.cli("create", "--bundle", str(b), cid)
    out = rt.tmp / "events.out"
    cmd = [sys.executable, "-m", "berth.runtime", "--root", str(rt.root), "events",
           "--interval", "60s", cid]
    with open(out, "w") as f:
        ev = subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT)
    try:
        # the watcher is registered once the events process holds its eventfd
        wait_for(lambda: _has_eventfd(ev.pid), timeout=20)
        rt.cli("start", cid)
        assert ev.wait(timeout=60) == 0, out.read_text()
    finally:
        if ev.poll() is None:
            ev.kill()
            ev.wait()
    events = [json.loads(line) for line in out.read_text().splitlines() if line.strip()]
    assert {"type": "oom", "id": cid} in events, events
    assert rt.state(cid)["status"] == "stopped"
    rt.cli("delete", cid)


def _has_eventfd(pid: int) -> bool:
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except FileNotFoundError:
        return False
    links = []
    for fd in fds:
        try:
            links.append(os.readlink(f"/proc/{pid}/fd/{fd}"))
        except OSError:
            continue
    return "anon_inode:[eventfd]" in links


def test_pids_limit_stops_fork(rt: Runtime) -> None:
    def edit(cfg: dict[str, Any]) -> None:
        cfg["linux"]["resources"]["pids"] = {"limit": 3}
    script = "for i in 1 2 3 4 5; do sleep 30 & done; echo forked; kill $(jobs -p)"
    b = rt.edit(rt.bundle(["sh", "-c", f"({script}) 2>&1"]), edit)
    out = rt.run([], bundle=b, check=False).stdout
    assert "can't fork" in out and "Resource temporarily unavailable" in out, out


def test_update_changes_memory_limit_of_running_container(rt: Runtime) -> None:
    cid = rt.new_id()
    b = rt.edit(rt.bundle(["sleep", "1000"]), _limit_memory(64 << 20))
    rt.cli("run", "-d", "--bundle", str(b), cid)
    limit = MEMORY / cid / "memory.limit_in_bytes"
    assert int(read_proc(str(limit))) == 64 << 20
    rt.cli("update", "--memory", "48m", "--memory-swap", "48m", cid)
    assert int(read_proc(str(limit))) == 48 << 20
    res = json.loads((rt.root / cid / "state.json").read_text())
    assert res["config"]["linux"]["resources"]["memory"]["limit"] == 48 << 20
    rt.cli("delete", "--force", cid)
