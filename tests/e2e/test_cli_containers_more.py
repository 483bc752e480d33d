"""berth's exec/attach/start/create/wait on a real berthd, side by side with the docker CLI.

One daemon per module with busybox imported from Debian's busybox-static. Deterministic
output is compared with docker's (berth, docker, berth: docker's stdout, stderr with
"docker" read as "berth", and status must equal one berth run). Terminal cases run the
CLI on a pty (``pty.fork``) and wait for what the container prints, never a fixed sleep.
"""

from __future__ import annotations

import os
import pty
import select
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from berth.testing.waiting import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.root,
              pytest.mark.skipif(os.geteuid() != 0, reason="containers need root"),
              pytest.mark.skipif(shutil.which("docker") is None, reason="no docker CLI"),
              pytest.mark.usefixtures("clean_containers")]  # `d`: tests/e2e/conftest.py

BERTH = str(Path(sys.executable).parent / "berth")
LOOP = "while true; do sleep 0.1; done"


def status(d: Any, name: str) -> str:
    return str(d.berth("inspect", "-f", "{{.State.Status}}", name).stdout.strip())


class Pty:
    """A CLI process on a fresh pseudo-terminal: read until a marker, type, collect."""

    def __init__(self, d: Any, cli: str, *args: str) -> None:
        env = {k: v for k, v in os.environ.items() if k not in ("DOCKER_HOST",
                                                                "DOCKER_CONTEXT")}
        env["DOCKER_CONFIG"] = str(d.docker_config)
        argv = [BERTH if cli == "berth" else "docker", "-H", d.url, *args]
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # child: becomes the CLI on the pty
            os.execvpe(argv[0], argv, env)
        self.out = b""
        self.eof = False

    def expect(self, marker: bytes, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while marker not in self.out:
            assert not self.eof and time.monotonic() < deadline, self.out
            self._read(0.2)

    def _read(self, wait: float) -> None:
        ready, _, _ = select.select([self.fd], [], [], wait)
        if ready:
            try:
                chunk = os.read(self.fd, 4096)
            except OSError:  # EIO: the CLI exited and the pty closed
                chunk = b""
            self.out += chunk
            self.eof = not chunk

    def type(self, data: bytes) -> None:
        os.write(self.fd, data)

    def finish(self, timeout: float = 20.0) -> int:
        deadline = time.monotonic() + timeout
        while not self.eof and time.monotonic() < deadline:
            self._read(0.2)
        if not self.eof:
            os.kill(self.pid, 9)
        os.close(self.fd)
        _, st = os.waitpid(self.pid, 0)
        return os.waitstatus_to_exitcode(st)


def test_exec_env_workdir_user_codes(d: Any) -> None:
    d.berth("run", "-d", "--name", "ex", "busybox", "sh", "-c", LOOP)
    assert d.same("exec", "ex", "echo", "hi").stdout == "hi\n"
    assert d.same("exec", "-e", "A=1", "-e", "B=two", "ex", "sh", "-c",
                "echo $A $B").stdout == "1 two\n"
    assert d.same("exec", "-w", "/tmp", "ex", "pwd").stdout == "/tmp\n"
    assert d.same("exec", "-u", "1000:1001", "ex", "id").stdout.startswith(
        "uid=1000 gid=1001")
    assert d.same("exec", "--workdir=/etc", "-u", "nobody", "ex", "sh", "-c",
                "pwd; id -u").stdout == "/etc\n65534\n"
    res = d.same("exec", "ex", "sh", "-c", "echo out; echo err >&2; exit 3")
    assert (res.stdout, res.stderr, res.returncode) == ("out\n", "err\n", 3)
    assert d.same("exec", "ex", "nope").returncode == 127
    assert d.same("exec", "ex", "/etc/passwd").returncode == 126
    d.same("exec", "nope", "true")
    d.same("exec", "ex")
    d.berth("create", "--name", "cr", "busybox", "true")
    d.same("exec", "cr", "true")  # not running


def test_exec_detached_and_piped_stdin(d: Any) -> None:
    d.berth("run", "-d", "--name", "ed", "busybox", "sh", "-c", LOOP)
    res = d.berth("exec", "-d", "ed", "sh", "-c", "echo x > /tmp/mark")
    assert (res.stdout, res.stderr, res.returncode) == ("", "", 0)
    wait_for(lambda: d.berth("exec", "ed", "cat", "/tmp/mark", check=False).stdout == "x\n")
    assert d.same("exec", "-i", "ed", "cat", input="a\nb\n").stdout == "a\nb\n"
    assert d.same("exec", "-i", "ed", "sh", "-c", "wc -l; exit 4",
                input="1\n2\n3\n").returncode == 4
    assert d.same("exec", "ed", "cat", input="ignored\n").stdout == ""  # no -i: no stdin
    d.same("exec", "-it", "ed", "true", input="")  # not a TTY


@pytest.mark.parametrize("cli", ["berth", "docker"])
def test_exec_it_on_pty(d: Any, cli: str) -> None:
    d.berth("run", "-d", "--name", "et", "busybox", "sh", "-c", LOOP)
    p = Pty(d, cli, "exec", "-it", "et", "sh")
    p.expect(b"# ")
    p.type(b"tty; echo h''i; exit 6\r")
    code = p.finish()
    assert code == 6, p.out
    assert b"\r\n/dev/pts/" in p.out and b"\r\nhi\r\n" in p.out
    assert status(d, "et") == "running"


def test_start_attach_and_create(d: Any) -> None:
    cid = d.berth("create", "--name", "c1", "busybox", "sh", "-c",
                  "echo one; echo two >&2; exit 2").stdout.strip()
    assert len(cid) == 64 and status(d, "c1") == "created"
    assert d.berth("start", "c1").stdout == "c1\n"
    assert d.berth("wait", "c1").stdout == "2\n"
    assert d.berth("logs", "c1").stdout == "one\n"
    res = d.same("start", "-a", "c1")
    assert (res.stdout, res.stderr, res.returncode) == ("one\n", "two\n", 2)
    d.berth("create", "-i", "--name", "c2", "busybox", "sh", "-c", "cat; exit 5")
    res = d.same("start", "-a", "-i", "c2", input="in\n")
    assert (res.stdout, res.returncode) == ("in\n", 5)
    d.same("start", "-a", "nope")
    d.same("start", "nope", "c1")
    d.same("wait", "c1", "c2")


def test_wait_running_then_exit(d: Any) -> None:
    d.berth("run", "-d", "--name", "w1", "busybox", "sh", "-c",
            "while [ ! -e /tmp/go ]; do sleep 0.05; done; exit 42")
    import subprocess

    env = {k: v for k, v in os.environ.items() if k != "DOCKER_HOST"}
    waiter = subprocess.Popen([BERTH, "-H", d.url, "wait", "w1"], stdout=subprocess.PIPE,
                              text=True, env=env)
    # may be SIGKILLed with the container's pid namespace once the file exists
    assert d.berth("exec", "w1", "touch", "/tmp/go", check=False).returncode in (0, 137)
    out, _ = waiter.communicate(timeout=30)
    assert (out, waiter.returncode) == ("42\n", 0)
    assert d.same("wait", "w1").stdout == "42\n"


def test_attach_prints_lines(d: Any) -> None:
    d.berth("run", "-d", "--name", "at", "busybox", "sh", "-c",
            "i=0; while [ ! -e /tmp/stop ]; do echo line$i; i=$((i+1)); sleep 0.1; done;"
            " echo bye >&2; exit 3")
    import subprocess

    env = {k: v for k, v in os.environ.items() if k != "DOCKER_HOST"}
    att = subprocess.Popen([BERTH, "-H", d.url, "attach", "--no-stdin", "at"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert att.stdout is not None
    first = att.stdout.readline()
    assert first.startswith("line"), first
    # the container ends as soon as the file exists, and its pid namespace goes with it:
    # the exec'd touch may be SIGKILLed on its way out (docker's exec would be too)
    assert d.berth("exec", "at", "touch", "/tmp/stop", check=False).returncode in (0, 137)
    out, err = att.communicate(timeout=30)
    assert err == "bye\n" and att.returncode == 3
    assert all(line.startswith("line") for line in out.splitlines())
    d.same("attach", "at")  # stopped: refused
    d.same("attach", "nope")


DETACHED = b"read escape sequence\r\n"  # docker 28's attach/exec report on detach, status 1


@pytest.mark.parametrize("cli", ["berth", "docker"])
def test_attach_detach_keys_on_pty(d: Any, cli: str) -> None:
    d.berth("run", "-dit", "--name", "dk", "busybox", "sh")
    p = Pty(d, cli, "attach", "dk")
    p.type(b"echo a''b\r")
    p.expect(b"ab\r\n")
    p.type(b"\x10\x11")  # ctrl-p ctrl-q
    assert (p.finish(), p.out.endswith(DETACHED)) == (1, True), p.out
    assert status(d, "dk") == "running"
    p = Pty(d, cli, "attach", "--detach-keys", "ctrl-x", "dk")
    p.type(b"echo c''d\r")
    p.expect(b"cd\r\n")
    p.type(b"\x18")
    assert (p.finish(), p.out.endswith(DETACHED)) == (1, True), p.out
    assert status(d, "dk") == "running"
    p = Pty(d, cli, "exec", "-it", "dk", "sh")
    p.expect(b"# ")
    p.type(b"\x10\x11")
    assert (p.finish(), p.out.endswith(DETACHED)) == (1, True), p.out


@pytest.mark.parametrize("cli", ["berth", "docker"])
def test_start_ai_on_pty(d: Any, cli: str) -> None:
    d.berth("create", "-it", "--name", "sa", "busybox", "sh")
    p = Pty(d, cli, "start", "-ai", "sa")
    p.expect(b"# ")
    p.type(b"echo s''t; exit 9\r")
    assert p.finish() == 9, p.out
    assert b"\r\nst\r\n" in p.out
    assert status(d, "sa") == "exited"


@pytest.mark.parametrize("cli", ["berth", "docker"])
def test_detach_from_start_ai(d: Any, cli: str) -> None:
    d.berth("create", "-it", "--name", "sd", "busybox", "sh")
    p = Pty(d, cli, "start", "-ai", "sd")
    p.expect(b"# ")
    p.type(b"\x10\x11")
    assert (p.finish(), b"escape" in p.out) == (0, False), p.out  # start: silent, 0


def test_create_errors(d: Any) -> None:
    d.berth("create", "--name", "ce", "busybox")
    d.same("create", "--name", "ce", "busybox")  # name in use: plain error, status 1
    d.same("create", "--pull", "sometimes", "busybox")
    d.same("create", "--pull", "never", "nope:1")
    d.same("create")
