"""Restart policies and AutoRemove with the real docker CLI: on-failure:N counts, always
after a crash and after a berthd kill -9, unless-stopped and explicit stops, and
``run --rm`` of a missing binary (must not hang: the failed start removes the container).

Back-off waits poll the container's state; nothing sleeps a fixed time.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
from typing import Any

import pytest

from berth.testing.rootfs import make_busybox_tar
from berth.testing.waiting import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.root,
              pytest.mark.skipif(os.geteuid() != 0, reason="containers need root"),
              pytest.mark.skipif(shutil.which("docker") is None, reason="no docker CLI")]


@pytest.fixture
def d(berthd: Any, tmp_path: Any) -> Any:
    tar = make_busybox_tar(tmp_path / "busybox.tar", tmp_path)
    berthd.docker("import", "-c", 'CMD ["sh"]', str(tar), "busybox:latest")
    yield berthd
    berthd.remove_all_containers()


def state(d: Any, name: str) -> dict[str, Any]:
    info: dict[str, Any] = json.loads(d.docker("inspect", name).stdout)[0]
    return info


def test_on_failure_restarts_n_times(d: Any) -> None:
    d.docker("run", "-d", "--name", "of", "--restart", "on-failure:2", "busybox",
             "sh", "-c", "exit 1")

    def settled() -> bool:
        s = state(d, "of")
        return s["RestartCount"] == 2 and s["State"]["Status"] == "exited"
    wait_for(settled)
    s = state(d, "of")
    assert s["State"]["ExitCode"] == 1 and s["RestartCount"] == 2


def test_always_restarts_after_crash_and_not_after_stop(d: Any) -> None:
    d.docker("run", "-d", "--name", "al", "--restart", "always", "busybox", "sleep", "60")
    pid = state(d, "al")["State"]["Pid"]
    os.kill(pid, signal.SIGKILL)

    def restarted() -> bool:
        s = state(d, "al")["State"]
        return s["Status"] == "running" and s["Pid"] != pid
    wait_for(restarted)
    assert state(d, "al")["RestartCount"] == 1
    d.docker("stop", "-t", "1", "al")
    assert state(d, "al")["State"]["Status"] == "exited"
    assert state(d, "al")["RestartCount"] == 1  # the stop was not a crash


def test_unless_stopped_stays_stopped(d: Any) -> None:
    d.docker("run", "-d", "--name", "us", "--restart", "unless-stopped", "busybox",
             "sleep", "60")
    d.docker("stop", "-t", "1", "us")
    assert state(d, "us")["State"]["Status"] == "exited"
    d.kill9_and_restart()  # daemon start: unless-stopped containers stopped by hand stay so
    assert state(d, "us")["State"]["Status"] == "exited"


def test_always_restarts_after_daemon_kill9(d: Any) -> None:
    d.docker("run", "-d", "--name", "ak", "--restart", "always", "busybox", "sleep", "60")
    d.docker("run", "-d", "--name", "ad", "--restart", "always", "busybox", "sleep", "60")
    pid = state(d, "ad")["State"]["Pid"]
    keep = state(d, "ak")["State"]["Pid"]
    os.killpg(d.proc.pid, signal.SIGKILL)
    d.proc.wait()
    os.kill(pid, signal.SIGKILL)  # dies while berthd is down
    d._spawn()  # the same daemon roots, started again

    def back() -> bool:
        s = state(d, "ad")["State"]
        return s["Status"] == "running" and s["Pid"] != pid
    wait_for(back)
    assert state(d, "ak")["State"]["Pid"] == keep  # the survivor was re-attached, not restarted


def test_run_rm_missing_binary_exits_127(d: Any) -> None:
    res = d.docker("run", "--rm", "busybox", "no-such-binary", check=False, timeout=30)
    assert res.returncode == 127
    assert "no-such-binary" in res.stderr
    assert d.docker("ps", "-aq").stdout == ""
