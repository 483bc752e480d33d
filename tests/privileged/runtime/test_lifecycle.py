"""create → start → state → kill → delete, as runc does them."""

from __future__ import annotations

import json
import os

import pytest
from tests.privileged.runtime.conftest import Runtime, read_proc, wait_for

pytestmark = pytest.mark.root


def test_run_returns_exit_code_and_output(rt: Runtime) -> None:
    res = rt.run(["sh", "-c", "echo hello; exit 7"], check=False)
    assert res.returncode == 7, res.stderr
    assert res.stdout == "hello\n"


def test_create_start_state_kill_delete(rt: Runtime) -> None:
    b = rt.bundle(["sleep", "1000"])
    cid = rt.new_id()
    pidfile = rt.tmp / "pid"
    rt.cli("create", "--bundle", str(b), "--pid-file", str(pidfile), cid)
    st = rt.state(cid)
    assert st["status"] == "created"
    assert st["id"] == cid and st["bundle"] == str(b) and st["ociVersion"]
    assert int(pidfile.read_text()) == st["pid"] > 0
    assert st["rootfs"] == str(b / "rootfs")
    # still the init, blocked on the exec fifo
    assert b"sleep" not in read_proc(f"/proc/{st['pid']}/cmdline")
    rt.cli("start", cid)
    assert rt.state(cid)["status"] == "running"
    wait_for(lambda: b"sleep" in read_proc(f"/proc/{st['pid']}/cmdline"))
    res = rt.cli("delete", cid, check=False)
    assert res.returncode == 1 and "not stopped: running" in res.stderr
    rt.cli("kill", cid, "KILL")
    wait_for(lambda: rt.state(cid)["status"] == "stopped")
    rt.cli("delete", cid)
    assert not (rt.root / cid).exists()
    assert rt.cli("state", cid, check=False).returncode == 1


def test_start_twice_and_duplicate_id(rt: Runtime) -> None:
    b = rt.bundle(["sleep", "1000"])
    cid = rt.new_id()
    rt.cli("create", "-b", str(b), cid)
    dup = rt.cli("create", "-b", str(b), cid, check=False)
    assert dup.returncode == 1 and "exists" in dup.stderr
    rt.cli("start", cid)
    again = rt.cli("start", cid, check=False)
    assert again.returncode == 1 and "running" in again.stderr
    rt.cli("delete", "--force", cid)


def test_delete_created_container_kills_init(rt: Runtime) -> None:
    cid = rt.new_id()
    rt.cli("create", "-b", str(rt.bundle(["true"])), cid)
    pid = rt.state(cid)["pid"]
    rt.cli("delete", cid)
    wait_for(lambda: read_proc(f"/proc/{pid}/stat").split(b") ")[-1][:1] in (b"", b"Z"))


def test_list_and_ps(rt: Runtime) -> None:
    cid = rt.new_id()
    rt.cli("run", "-d", "-b", str(rt.bundle(["sleep", "1000"])), cid)
    listed = json.loads(rt.cli("list", "--format", "json").stdout)
    assert [s["id"] for s in listed] == [cid] and listed[0]["status"] == "running"
    assert rt.cli("list", "-q").stdout.split() == [cid]
    assert cid in rt.cli("list").stdout
    pids = json.loads(rt.cli("ps", "--format", "json", cid).stdout)
    assert rt.state(cid)["pid"] in pids
    rt.cli("kill", "--all", cid, "9")
    wait_for(lambda: rt.state(cid)["status"] == "stopped")


def test_kill_stopped_container_fails(rt: Runtime) -> None:
    cid = rt.new_id()
    rt.cli("run", "-d", "-b", str(rt.bundle(["true"])), cid)
    wait_for(lambda: rt.state(cid)["status"] == "stopped")
    res = rt.cli("kill", cid, "TERM", check=False)
    assert res.returncode == 1 and "not running" in res.stderr
    assert rt.state(cid)["pid"] == 0


def test_pause_resume(rt: Runtime) -> None:
    cid = rt.new_id()
    rt.cli("run", "-d", "-b", str(rt.bundle(["sleep", "1000"])), cid)
    rt.cli("pause", cid)
    assert rt.state(cid)["status"] == "paused"
    res = rt.cli("delete", cid, check=False)
    assert res.returncode == 1 and "paused" in res.stderr
    rt.cli("resume", cid)
    assert rt.state(cid)["status"] == "running"
    rt.cli("delete", "-f", cid)


def test_update_and_stats(rt: Runtime) -> None:
    cid = rt.new_id()
    rt.cli("run", "-d", "-b", str(rt.bundle(["sleep", "1000"])), cid)
    rt.cli("update", "--pids-limit", "77", "--memory", "64m", cid)
    st = json.loads(rt.cli("events", "--stats", cid).stdout)
    assert st["type"] == "stats" and st["id"] == cid
    pids_max = [p for p in ("/sys/fs/cgroup/pids", "/sys/fs/cgroup")
                if os.path.exists(f"{p}/{cid}/pids.max")]
    assert pids_max and read_proc(f"{pids_max[0]}/{cid}/pids.max").strip() == b"77"
    rt.cli("delete", "-f", cid)


def test_version_features_spec(rt: Runtime) -> None:
    assert "spec: 1.2.0" in rt.cli("--version").stdout
    feats = json.loads(rt.cli("features").stdout)
    assert "createRuntime" in feats["hooks"] and "user" in feats["linux"]["namespaces"]
    rt.tmp.joinpath("sb").mkdir()
    rt.cli("spec", "--bundle", str(rt.tmp / "sb"))
    cfg = json.loads((rt.tmp / "sb" / "config.json").read_text())
    assert cfg["process"]["args"] == ["sh"] and cfg["root"]["path"] == "rootfs"
    again = rt.cli("spec", "--bundle", str(rt.tmp / "sb"), check=False)
    assert again.returncode == 1 and "exists" in again.stderr
