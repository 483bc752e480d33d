"""berth's lifecycle and inspection commands on a real berthd, beside docker; ``run -it`` on a pty.

stop/kill/restart/rm/wait/rename/pause/unpause/top/port/diff/prune through ``berth``,
compared with the docker CLI where the answer is deterministic (errors included).
The pty tests fork the CLI on a pseudo-terminal, wait for busybox's prompt, type a line
and read until the CLI exits.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.root,
              pytest.mark.skipif(os.geteuid() != 0, reason="containers need root"),
              pytest.mark.skipif(shutil.which("docker") is None, reason="no docker CLI"),
              pytest.mark.usefixtures("clean_containers")]  # `d`: tests/e2e/conftest.py

BERTH = str(Path(sys.executable).parent / "berth")


def status(d: Any, name: str) -> str:
    return str(d.berth("inspect", "-f", "{{.State.Status}}", name).stdout.strip())


TRAP = 'trap "exit 5" TERM; while true; do sleep 0.1; done'


def test_stop_wait_kill_restart(d: Any) -> None:
    d.berth("run", "-d", "--name", "lc", "busybox", "sh", "-c", TRAP)
    assert d.berth("stop", "lc").stdout == "lc\n"
    assert status(d, "lc") == "exited"
    assert d.same("wait", "lc").stdout == "5\n"
    d.same("kill", "lc")  # not running: the same daemon error through both
    assert d.berth("restart", "lc").stdout == "lc\n" and status(d, "lc") == "running"
    assert d.berth("kill", "lc").stdout == "lc\n"
    assert d.berth("wait", "lc").stdout == "137\n"
    d.same("stop", "nope", "lc")
    d.same("kill", "-s", "KILL", "nope")
    d.same("wait", "nope")


def test_rm_inspect_rename(d: Any) -> None:
    d.berth("run", "-d", "--name", "r1", "busybox", "sleep", "100")
    d.same("inspect", "r1", "--format", "{{.State.Status}} {{.Name}} {{.Config.Cmd}}")
    d.same("inspect", "-f", "{{.Nope}}", "r1")
    d.same("container", "inspect", "nope")
    d.same("rm", "r1")  # running: refused
    assert d.berth("rename", "r1", "r2").stdout == ""
    d.same("rename", "r1", "r3")
    assert status(d, "r2") == "running"
    assert d.berth("rm", "-f", "r2").stdout == "r2\n"
    d.same("rm", "r2")
    d.same("rm", "-f", "r2")
    assert d.berth("ps", "-aq").stdout == ""


def test_pause_top_port_diff(d: Any) -> None:
    d.berth("run", "-d", "--name", "pt", "busybox", "sh", "-c", "touch /tmp/f; sleep 100")
    assert d.berth("pause", "pt").stdout == "pt\n" and status(d, "pt") == "paused"
    d.same("pause", "pt")
    assert d.berth("unpause", "pt").stdout == "pt\n" and status(d, "pt") == "running"
    d.same("unpause", "pt")
    top = d.same("top", "pt").stdout.splitlines()
    assert top[0].split() == ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"]
    assert top[-1].endswith("sleep 100")
    d.same("top", "nope")
    d.same("port", "pt")
    d.same("port", "pt", "80")
    d.same("port", "pt", "x")
    diff = d.same("diff", "pt").stdout.splitlines()
    assert "A /tmp/f" in diff and "C /tmp" in diff
    d.same("diff", "nope")


def test_container_prune(d: Any) -> None:
    ids = [d.berth("create", "busybox", "true").stdout.strip() for _ in range(2)]
    d.berth("run", "-d", "--name", "keep", "busybox", "sleep", "100")
    out = d.berth("container", "prune", "-f").stdout
    head, *rest = out.split("\n\n")
    assert head.splitlines()[0] == "Deleted Containers:"
    assert sorted(head.splitlines()[1:]) == sorted(ids)
    assert rest[0].startswith("Total reclaimed space: ")
    assert d.same("container", "prune", "-f").stdout == "Total reclaimed space: 0B\n"
    assert d.berth("ps", "-aq", "--format", "{{.Names}}").stdout.count("\n") == 1


@pytest.mark.parametrize("cli", ["berth", "docker"])
def test_run_it_on_pty(d: Any, cli: str) -> None:
    argv = [BERTH if cli == "berth" else "docker", "-H", d.url, "run", "-it", "--rm",
            "busybox", "sh"]
    out, code = d.on_pty(argv, b"echo h''i; exit 7\r", timeout=30)
    assert code == 7, out
    assert b"\r\nhi\r\n" in out, out
    assert d.berth("ps", "-aq").stdout == ""
