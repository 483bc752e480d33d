"""berth's container commands on a real berthd, side by side with the docker CLI (run, ps, logs).

One daemon per module with a busybox image imported from Debian's busybox-static. Where the
output is deterministic both CLIs run and must agree (stderr compared with "docker" read as
"berth"); listings with ticking CREATED/STATUS cells bracket docker between two berth runs.
Every test removes its containers; the autouse fixture force-removes anything left.
"""

from __future__ import annotations

import os
import shutil
from typing import Any

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.root,
              pytest.mark.skipif(os.geteuid() != 0, reason="containers need root"),
              pytest.mark.skipif(shutil.which("docker") is None, reason="no docker CLI"),
              pytest.mark.usefixtures("clean_containers")]  # `d`: tests/e2e/conftest.py


def test_run_echo_exit_codes(d: Any) -> None:
    res = d.berth("run", "--rm", "busybox", "echo", "hi")
    assert (res.stdout, res.stderr, res.returncode) == ("hi\n", "", 0)
    res = d.berth("run", "busybox", "sh", "-c", "echo oops >&2; exit 3", check=False)
    assert (res.stdout, res.stderr, res.returncode) == ("", "oops\n", 3)
    d.same("run", "--rm", "busybox", "sh", "-c", "echo out; echo err >&2; exit 9")
    assert d.berth("ps", "-aq").stdout.count("\n") == 1  # only the non --rm one is left


def test_run_missing_command_127(d: Any) -> None:
    res = d.berth("run", "--rm", "busybox", "nope", check=False)
    assert res.returncode == 127 and res.stdout == ""
    first, rest = res.stderr.split("\n", 1)
    assert first.startswith("berth: Error response from daemon: ")
    assert '"nope": executable file not found in $PATH' in first
    assert rest == "\nRun 'berth run --help' for more information\n"
    d.same("run", "--rm", "busybox", "nope")
    assert d.berth("ps", "-aq").stdout == ""  # --rm removed the container that failed


def test_run_usage_errors_match_docker(d: Any) -> None:
    d.same("run")
    d.same("run", "--nope", "busybox")
    d.same("run", "--pull", "sometimes", "busybox", "true")
    d.same("run", "--name", "x", "busybox", "true")  # one-letter names are invalid


def test_run_stdin_piped(d: Any) -> None:
    res = d.berth("run", "-i", "--rm", "busybox", "cat", input="a\nb\n")
    assert (res.stdout, res.returncode) == ("a\nb\n", 0)
    d.same("run", "-i", "--rm", "busybox", "sh", "-c", "cat; echo done", input="x\n")
    res = d.berth("run", "-t", "-i", "--rm", "busybox", "true", input="", check=False)
    assert (res.stderr, res.returncode) == ("the input device is not a TTY\n", 1)


def test_run_detached_prints_id_and_ps(d: Any) -> None:
    cid = d.berth("run", "-d", "--name", "web", "busybox", "sleep", "100").stdout.strip()
    assert len(cid) == 64 and int(cid, 16) >= 0
    d.berth("run", "--name", "done1", "busybox", "true")
    out = d.same("ps").stdout
    assert out.splitlines()[0].split() == ["CONTAINER", "ID", "IMAGE", "COMMAND", "CREATED",
                                           "STATUS", "PORTS", "NAMES"]
    assert cid[:12] in out and "done1" not in out
    assert set(d.same("ps", "-a", "-q").stdout.split()) == \
        {cid[:12], d.berth("inspect", "-f", "{{.Id}}", "done1").stdout[:12]}
    d.same("ps", "-a")
    d.same("ps", "--no-trunc", "-a")
    d.same("ps", "-a", "--format", "{{.Names}}\t{{.Image}}\t{{.Command}}\t{{.State}}")
    d.same("ps", "-a", "--format", "json")
    d.same("ps", "-a", "--format", "table {{.ID}}\t{{.Names}}")
    assert d.same("ps", "--filter", "name=web", "-q").stdout == cid[:12] + "\n"
    d.same("ps", "-a", "--filter", "status=exited", "--format", "{{.Names}}")
    d.same("ps", "-a", "--filter", "exited=0", "--format", "{{.Names}}")
    d.same("ps", "-n", "1", "--format", "{{.Names}}")
    d.same("ps", "-l", "--format", "{{.Names}}")
    d.same("ps", "--filter", "nope=1")
    d.same("ps", "--format", "{{.Nope}}")


def test_logs_plain_tail_timestamps_follow(d: Any) -> None:
    d.berth("run", "--name", "lg", "busybox", "sh", "-c", "echo one; echo two; echo three")
    assert d.same("logs", "lg").stdout == "one\ntwo\nthree\n"
    assert d.same("logs", "--tail", "1", "lg").stdout == "three\n"
    stamped = d.same("logs", "-t", "lg").stdout.splitlines()
    assert [line.split(" ", 1)[1] for line in stamped] == ["one", "two", "three"]
    assert stamped[0][:4].isdigit() and stamped[0].split(" ")[0].endswith("Z")
    d.same("logs", "--since", "1h", "lg")
    d.same("logs", "nope")
    d.berth("run", "-d", "--name", "fl", "busybox", "sh", "-c",
            "for i in 1 2 3; do echo l$i; sleep 0.2; done; echo err >&2")
    res = d.berth("logs", "-f", "fl", timeout=30)  # returns when the container exits
    assert (res.stdout, res.stderr) == ("l1\nl2\nl3\n", "err\n")
    assert d.berth("inspect", "-f", "{{.State.Status}}", "fl").stdout == "exited\n"
