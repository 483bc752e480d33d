"""``docker exec`` and healthchecks against berthd, judged by the real docker CLI and
docker-py: exec output, env/workdir, detach, ``-it`` under a pty, exit codes, refusal
on a stopped container; a container turning healthy, and one turning unhealthy with
its ``health_status`` event."""

from __future__ import annotations

import json
import os
import pty
import select
import shutil
import subprocess
import time
from typing import Any

import pytest

from berth.testing.waiting import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.root,
              pytest.mark.skipif(os.geteuid() != 0, reason="containers need root"),
              pytest.mark.skipif(shutil.which("docker") is None, reason="no docker CLI"),
              pytest.mark.usefixtures("clean_containers")]  # `d`: tests/e2e/conftest.py


def sleeper(d: Any, *flags: str) -> str:
    return str(d.docker("run", "-d", *flags, "busybox", "sleep", "300").stdout.strip())


def test_exec_output_env_workdir_and_exit_codes(d: Any) -> None:
    cid = sleeper(d, "--hostname", "boat")
    assert d.docker("exec", cid, "cat", "/etc/hostname").stdout == "boat\n"
    res = d.docker("exec", "-e", "A=1", "-w", "/tmp", cid, "sh", "-c", "echo $A; pwd")
    assert res.stdout == "1\n/tmp\n"
    res = d.docker("exec", "-u", "nobody", cid, "id", "-u")
    assert res.stdout == "65534\n"
    res = d.docker("exec", cid, "sh", "-c", "echo oops >&2; exit 5", check=False)
    assert (res.returncode, res.stdout, res.stderr) == (5, "", "oops\n")
    res = d.docker("exec", cid, "nope", check=False)
    assert res.returncode == 127
    assert ('OCI runtime exec failed: exec failed: unable to start container process: '
            'exec: "nope": executable file not found in $PATH: unknown') in res.stdout
    assert d.docker("inspect", "-f", "{{.State.Running}}", cid).stdout == "true\n"


def test_exec_detached(d: Any) -> None:
    cid = sleeper(d)
    d.docker("exec", "-d", cid, "sh", "-c", "echo done > /tmp/flag")
    wait_for(lambda: d.docker("exec", cid, "cat", "/tmp/flag", check=False).stdout == "done\n")


def test_exec_refused_on_stopped_container(d: Any) -> None:
    cid = d.docker("create", "busybox", "true").stdout.strip()
    res = d.docker("exec", cid, "echo", "hi", check=False)
    assert res.returncode != 0
    assert f"container {cid} is not running" in res.stderr


def test_exec_it_under_pty(d: Any) -> None:
    cid = sleeper(d)
    master, slave = pty.openpty()
    env = {**os.environ, "DOCKER_CONFIG": str(d.docker_config)}
    proc = subprocess.Popen(["docker", "-H", d.url, "exec", "-it", cid, "sh", "-c",
                             "tty; echo $((40+2)); exit 3"],
                            stdin=slave, stdout=slave, stderr=slave, env=env)
    os.close(slave)
    out = b""
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(master, 4096)
                except OSError:  # EIO: the docker CLI closed the pty
                    break
                if not chunk:
                    break
                out += chunk
            elif proc.poll() is not None:
                break
        assert proc.wait(timeout=30) == 3
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert b"/dev/pts/0\r\n42\r\n" in out


def test_docker_py_exec_run(d: Any) -> None:
    client = d.client()
    cont = client.containers.run("busybox", ["sleep", "300"], detach=True)
    assert cont.exec_run("echo hi") == (0, b"hi\n")
    assert cont.exec_run(["sh", "-c", "exit 4"]) == (4, b"")
    res = client.api.exec_inspect(client.api.exec_create(cont.id, "true")["Id"])
    assert res["Running"] is False and res["ExitCode"] is None
    assert res["ProcessConfig"]["entrypoint"] == "true"


def health(d: Any, cid: str) -> dict[str, Any]:
    out = d.docker("inspect", "-f", "{{json .State.Health}}", cid).stdout
    return dict(json.loads(out) or {})


def test_health_becomes_healthy(d: Any) -> None:
    cid = sleeper(d, "--health-cmd", "true", "--health-interval", "1s")
    assert health(d, cid)["Status"] in ("starting", "healthy")
    wait_for(lambda: health(d, cid)["Status"] == "healthy")
    assert health(d, cid)["Log"][-1]["ExitCode"] == 0
    assert "(healthy)" in d.docker("ps", "--format", "{{.Status}}", "--filter",
                                   f"id={cid}").stdout
    assert d.docker("ps", "-q", "--no-trunc", "--filter", "health=healthy").stdout.split() \
        == [cid]


def test_health_becomes_unhealthy_with_event(d: Any) -> None:
    since = str(int(time.time()) - 1)
    cid = sleeper(d, "--health-cmd", "false", "--health-interval", "1s",
                  "--health-retries", "1")
    wait_for(lambda: health(d, cid)["Status"] == "unhealthy")
    assert health(d, cid)["FailingStreak"] >= 1
    events = d.docker("events", "--since", since, "--until", str(int(time.time()) + 1),
                      "--filter", f"container={cid}", "--format",
                      "{{.Action}}").stdout.splitlines()
    assert "health_status: unhealthy" in events
    assert "(unhealthy)" in d.docker("ps", "--format", "{{.Status}}", "--filter",
                                     f"id={cid}").stdout
