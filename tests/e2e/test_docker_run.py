"""The real docker CLI (v28) running containers on berthd: run, logs, ps, inspect, stop, rm.

One daemon per module with a busybox image imported from Debian's busybox-static (an
imported image has no CMD, so the import sets ``CMD ["sh"]``). Every test removes the
containers it made; the fixture force-removes anything left.
"""

from __future__ import annotations

import json
import os
import shutil
from typing import Any

import pytest

from berth.testing.waiting import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.root,
              pytest.mark.skipif(os.geteuid() != 0, reason="containers need root"),
              pytest.mark.skipif(shutil.which("docker") is None, reason="no docker CLI"),
              pytest.mark.usefixtures("clean_containers")]  # `d`: tests/e2e/conftest.py


def test_run_rm_echo(d: Any) -> None:
    res = d.docker("run", "--rm", "busybox", "echo", "hi")
    assert res.stdout == "hi\n"
    assert d.docker("ps", "-aq").stdout == ""  # --rm removed it


def test_run_exit_code_and_stderr(d: Any) -> None:
    res = d.docker("run", "busybox", "sh", "-c", "echo oops >&2; exit 3", check=False)
    assert res.returncode == 3
    assert res.stderr == "oops\n"
    assert res.stdout == ""


def test_run_stdin(d: Any) -> None:
    res = d.docker("run", "-i", "--rm", "busybox", "sh", "-c", "cat; echo done",
                   input="from stdin\n")
    assert res.stdout == "from stdin\ndone\n"


def test_run_missing_binary_127(d: Any) -> None:
    res = d.docker("run", "busybox", "no-such-binary", check=False, timeout=30)
    assert res.returncode == 127, res
    assert "no-such-binary" in res.stderr


def test_run_missing_image_tries_pull(d: Any) -> None:
    res = d.docker("run", "--rm", "nosuchimage", check=False)
    assert res.returncode == 125
    assert "Unable to find image 'nosuchimage:latest' locally" in res.stderr


def test_detached_logs_ps_inspect_stop_rm(d: Any) -> None:
    cid = d.docker("run", "-d", "--name", "sleeper", "busybox", "sh", "-c",
                   "echo started; exec sleep 100").stdout.strip()
    assert len(cid) == 64
    wait_for(lambda: d.docker("logs", "sleeper").stdout == "started\n")
    ps = d.docker("ps").stdout.splitlines()
    assert ps[0].split() == ["CONTAINER", "ID", "IMAGE", "COMMAND", "CREATED", "STATUS",
                             "PORTS", "NAMES"]
    row = [line for line in ps if line.startswith(cid[:12])]
    assert row and row[0].endswith("sleeper") and " Up " in row[0]
    info = json.loads(d.docker("inspect", "sleeper").stdout)[0]
    assert info["Id"] == cid and info["Name"] == "/sleeper"
    assert info["State"]["Running"] is True and info["State"]["Pid"] > 0
    assert info["Config"]["Cmd"] == ["sh", "-c", "echo started; exec sleep 100"]
    assert info["Config"]["Image"] == "busybox"
    assert d.docker("inspect", "-f", "{{.State.Status}}", "sleeper").stdout == "running\n"
    d.docker("stop", "-t", "1", "sleeper")
    info = json.loads(d.docker("inspect", "sleeper").stdout)[0]
    assert info["State"]["Status"] == "exited" and info["State"]["Running"] is False
    assert d.docker("ps", "-q").stdout == ""
    assert cid[:12] in d.docker("ps", "-a").stdout
    d.docker("rm", "sleeper")
    res = d.docker("inspect", "sleeper", check=False)
    assert res.returncode == 1 and "No such" in res.stderr


def test_logs_follow_ends_with_container(d: Any) -> None:
    d.docker("run", "-d", "--name", "counter", "busybox", "sh", "-c",
             "for i in 1 2 3; do echo $i; sleep 0.2; done")
    res = d.docker("logs", "-f", "counter", timeout=30)
    assert res.stdout == "1\n2\n3\n"
    assert d.docker("logs", "--tail", "1", "counter").stdout == "3\n"


def test_kill_and_errors(d: Any) -> None:
    d.docker("run", "-d", "--name", "victim", "busybox", "sleep", "100")
    d.docker("kill", "victim")
    wait_for(lambda: d.docker("inspect", "-f", "{{.State.Status}}", "victim").stdout
             == "exited\n")
    assert d.docker("inspect", "-f", "{{.State.ExitCode}}", "victim").stdout == "137\n"
    res = d.docker("kill", "victim", check=False)
    assert res.returncode == 1 and "is not running" in res.stderr
    res = d.docker("stop", "nosuch", check=False)
    assert "No such container: nosuch" in res.stderr


def test_rm_running_needs_force(d: Any) -> None:
    d.docker("run", "-d", "--name", "busy", "busybox", "sleep", "100")
    res = d.docker("rm", "busy", check=False)
    assert res.returncode == 1 and "cannot remove a running container" in res.stderr
    d.docker("rm", "-f", "busy")
    assert d.docker("ps", "-aq").stdout == ""


def test_run_tty_under_pty(d: Any) -> None:
    """``docker run -it`` on a real pty whose input stays open (no EOF is typed: a tool
    like script(1) that turns its own stdin's EOF into a VEOF keystroke would race the
    command's output)."""
    out, code = d.on_pty(["docker", "-H", d.url, "run", "-it", "--rm", "busybox", "sh",
                          "-c", "tty; echo $((40+2))"])
    assert code == 0, out
    assert b"/dev/pts/0\r\n42\r\n" in out, out


def test_user_groups_as_docker(d: Any) -> None:
    """The primary group is a supplementary group too (seen from dockerd 20.10 + runc)."""
    want = {("-u", "1000:1000"): "uid=1000 gid=1000 groups=1000\n",
            ("-u", "1000"): "uid=1000 gid=0(root) groups=0(root)\n",
            ("-u", "1000", "--group-add", "50"): "uid=1000 gid=0(root) groups=0(root),50\n"}
    for flags, out in want.items():
        assert d.docker("run", "--rm", "--network", "none", *flags, "busybox", "id").stdout == out
    cid = d.docker("run", "-d", "--network", "none", "busybox", "sleep", "60").stdout.strip()
    exec_id = d.docker("exec", "-u", "1000:1000", cid, "id").stdout
    assert exec_id == "uid=1000 gid=1000 groups=1000\n"
