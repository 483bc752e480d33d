"""``docker attach`` / ``run -it`` / ``start -a -i`` under a pty: detach keys end to end.

The docker CLI filters the detach keys itself and the daemon filters them too (a client
that only sends them, like a websocket, must also be detached). After a detach the
container keeps running and can be attached again. Every wait is on a condition.
"""

from __future__ import annotations

import os
import pty
import select
import shutil
import subprocess
import time
from typing import Any

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.root,
              pytest.mark.skipif(os.geteuid() != 0, reason="containers need root"),
              pytest.mark.skipif(shutil.which("docker") is None, reason="no docker CLI"),
              pytest.mark.usefixtures("clean_containers")]  # `d`: tests/e2e/conftest.py


class PtyCli:
    """The docker CLI on a pty (it puts the terminal in raw mode, as for a user)."""

    def __init__(self, d: Any, *args: str) -> None:
        master, slave = pty.openpty()
        env = {**os.environ, "DOCKER_CONFIG": str(d.docker_config)}
        env.pop("DOCKER_HOST", None)
        self.proc = subprocess.Popen(["docker", "-H", d.url, *args], stdin=slave,
                                     stdout=slave, stderr=slave, env=env,
                                     start_new_session=True)
        os.close(slave)
        self.master = master
        self.out = b""

    def send(self, data: bytes) -> None:
        os.write(self.master, data)

    def expect(self, needle: bytes, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while needle not in self.out:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{needle!r} not seen; output so far {self.out!r}")
            ready, _, _ = select.select([self.master], [], [], left)
            if ready and not self._read():
                raise AssertionError(f"pty closed before {needle!r}; output {self.out!r}")

    def _read(self) -> bool:
        try:
            chunk = os.read(self.master, 4096)
        except OSError:  # EIO: the CLI exited and closed the slave
            return False
        self.out += chunk
        return bool(chunk)

    def wait(self, timeout: float = 20.0) -> int:
        """The CLI's exit code; drains the pty so the CLI never blocks on writing."""
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None:
            if time.monotonic() > deadline:
                raise AssertionError(f"CLI still running; output {self.out!r}")
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if ready:
                self._read()
        while select.select([self.master], [], [], 0)[0] and self._read():
            pass
        return self.proc.returncode

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        os.close(self.master)


def _state(d: Any, name: str) -> str:
    return str(d.docker("inspect", "-f", "{{.State.Status}}", name).stdout.strip())


def _wait_running(d: Any, name: str) -> None:
    deadline = time.monotonic() + 20
    while _state(d, name) != "running":
        assert time.monotonic() < deadline, f"{name} never ran"
        time.sleep(0.05)


def _attach_and_detach(d: Any, name: str, keys: bytes, *flags: str) -> tuple[int, bytes]:
    cli = PtyCli(d, "attach", *flags, name)
    try:
        cli.send(b"echo $((6*7))\r")
        cli.expect(b"42")
        cli.send(keys)
        return cli.wait(), cli.out
    finally:
        cli.close()


def test_attach_ctrl_p_ctrl_q_detaches_and_reattaches(d: Any) -> None:
    d.docker("run", "-dit", "--name", "dk", "busybox", "sh")
    _wait_running(d, "dk")
    code, out = _attach_and_detach(d, "dk", b"\x10\x11")
    # the CLI's own words and code: attach returns term.EscapeError, printed, exit 1
    assert b"read escape sequence" in out
    assert code == 1, out
    assert _state(d, "dk") == "running"
    code, out = _attach_and_detach(d, "dk", b"\x18x", "--detach-keys", "ctrl-x,x")
    assert b"read escape sequence" in out and code == 1
    assert _state(d, "dk") == "running"


def test_run_it_custom_detach_keys(d: Any) -> None:
    cli = PtyCli(d, "run", "-it", "--name", "rk", "--detach-keys", "ctrl-x,x", "busybox", "sh")
    try:
        cli.send(b"echo $((40+2))\r")
        cli.expect(b"42")
        cli.send(b"\x10\x11echo still-here\r")  # the default keys mean nothing now
        cli.expect(b"still-here")
        cli.send(b"\x18x")
        assert cli.wait() == 0, cli.out
    finally:
        cli.close()
    assert _state(d, "rk") == "running"


def test_start_attach_interactive(d: Any) -> None:
    d.docker("create", "-it", "--name", "sa", "busybox", "sh")
    cli = PtyCli(d, "start", "-a", "-i", "sa")
    try:
        cli.send(b"echo $((7*6))\r")
        cli.expect(b"42")
        cli.send(b"exit 3\r")
        assert cli.wait() == 3, cli.out
    finally:
        cli.close()
    assert _state(d, "sa") == "exited"
