"""dockerd (Debian's docker.io, with its own containerd and containerd-shim-runc-v2) runs
containers with berth-runtime registered by ``--add-runtime berth=<venv>/bin/berth-runtime``.

One private dockerd per module: its own data root, exec root, pid file and socket, no
bridge and no iptables; one busybox image imported from a locally built tarball.
The shim passes runc's ``--root/--log/--log-format json`` and ``--console-socket``;
``docker top`` calls ``ps --format json``. See docs/design/runtime-compat.md.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from berth.testing.rootfs import make_busybox_tar
from berth.testing.scrub import scrub

pytestmark = pytest.mark.root

DOCKER = "/usr/bin/docker"          # docker.io's client (not another docker on PATH)
DOCKERD = "/usr/sbin/dockerd"
IMAGE = "busybox:latest"
BERTH_RUNTIME = Path(sys.executable).parent / "berth-runtime"


class Docker:
    def __init__(self, base: Path) -> None:
        self.base = base
        self.sock = base / "docker.sock"
        self.daemon: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        b = self.base
        with open(b / "dockerd.log", "wb") as log:
            self.daemon = subprocess.Popen(
                [DOCKERD, "--data-root", str(b / "data"), "--exec-root", str(b / "exec"),
                 "--pidfile", str(b / "docker.pid"), "-H", f"unix://{self.sock}",
                 "--add-runtime", f"berth={BERTH_RUNTIME}", "--iptables=false",
                 "--ip6tables=false", "--ip-masq=false", "--bridge=none",
                 "--exec-opt", "native.cgroupdriver=cgroupfs",
                 "--storage-driver", "overlay2"],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True)
        deadline = time.monotonic() + 60
        delay = 0.01
        while self("version", check=False).returncode != 0:
            if self.daemon.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("dockerd did not come up:\n"
                                     + (b / "dockerd.log").read_text()[-3000:])
            time.sleep(delay)
            delay = min(delay * 2, 0.2)

    def __call__(self, *args: str, check: bool = True, timeout: float = 60,
                 input: str | None = None) -> subprocess.CompletedProcess[str]:
        cmd = [DOCKER, "-H", f"unix://{self.sock}", *args]
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, input=input,
                             stdin=subprocess.DEVNULL if input is None else None)
        if check and res.returncode != 0:
            raise AssertionError(f"{cmd} -> {res.returncode}\nstdout: {res.stdout}\n"
                                 f"stderr: {res.stderr}")
        return res

    def run(self, *args: str, check: bool = True,
            input: str | None = None) -> subprocess.CompletedProcess[str]:
        """``docker run`` with berth-runtime and no network."""
        return self("run", "--runtime", "berth", "--network", "none", *args, check=check,
                    input=input)

    def status(self, cid: str) -> str:
        return self("inspect", "--format", "{{.State.Status}}", cid).stdout.strip()

    def remove_all(self) -> None:
        ids = self("ps", "-aq", check=False).stdout.split()
        if ids:
            self("rm", "-f", *ids, check=False)

    def teardown(self) -> None:
        if self.daemon is not None and self.daemon.poll() is None:
            self.remove_all()
            self.daemon.terminate()
            try:
                self.daemon.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.daemon.kill()
                self.daemon.wait()
        scrub(self.base)


@pytest.fixture(scope="module")
def docker() -> Iterator[Docker]:
    for tool in (DOCKER, DOCKERD):
        if not os.path.exists(tool):
            pytest.fail(f"{tool} missing: run `make install` (docker.io is in APT_PACKAGES)")
    if not BERTH_RUNTIME.exists():
        pytest.fail(f"{BERTH_RUNTIME} missing: run `make install`")
    base = Path(tempfile.mkdtemp(prefix="berth-dockerd-", dir="/tmp"))
    d = Docker(base)
    try:
        d.start()
        tar = make_busybox_tar(base / "busybox.tar", base / "build")
        d("import", str(tar), IMAGE)
        shutil.rmtree(base / "build")
        yield d
    finally:
        d.teardown()


@pytest.fixture
def dk(docker: Docker) -> Iterator[Docker]:
    try:
        yield docker
    finally:
        docker.remove_all()


def _berth_state(dk: Docker, cid: str) -> Path:
    """berth-runtime's state.json for a container (the shim's --root is under exec-root)."""
    found = list((dk.base / "exec").rglob(f"{cid}/state.json"))
    assert found, f"no berth-runtime state for {cid}"
    return found[0]


def test_run_output_exit_code_and_errors(dk: Docker) -> None:
    assert dk.run("--rm", IMAGE, "echo", "hi").stdout == "hi\n"
    assert dk.run("--rm", IMAGE, "sh", "-c", "exit 3", check=False).returncode == 3
    assert dk.run("--rm", "-i", IMAGE, "cat", input="piped").stdout == "piped"
    res = dk.run("--rm", IMAGE, "/nonexistent", check=False)
    assert res.returncode == 127, res.stderr
    assert 'exec: "/nonexistent"' in res.stderr    # from berth-runtime's JSON log


def test_detached_exec_top_pause_stop_rm(dk: Docker) -> None:
    cid = dk.run("-d", IMAGE, "sleep", "60").stdout.strip()
    state = _berth_state(dk, cid)
    assert dk("inspect", "--format", "{{.HostConfig.Runtime}}", cid).stdout.strip() == "berth"
    assert dk.status(cid) == "running"
    assert dk("exec", cid, "cat", "/etc/hostname").stdout.strip() == cid[:12]
    assert dk("exec", cid, "sh", "-c", "exit 6", check=False).returncode == 6
    dk("exec", "-d", cid, "sleep", "55")
    top = dk("top", cid).stdout                     # berth-runtime ps --format json
    assert "sleep 60" in top and "sleep 55" in top, top
    dk("pause", cid)
    assert dk.status(cid) == "paused"
    dk("unpause", cid)
    assert dk.status(cid) == "running"
    dk("stop", "-t", "0", cid)
    assert dk.status(cid) == "exited"
    assert dk("inspect", "--format", "{{.State.ExitCode}}", cid).stdout.strip() == "137"
    dk("rm", cid)
    assert not state.exists()


def test_kill_wait_restart(dk: Docker) -> None:
    cid = dk.run("-d", IMAGE, "sleep", "60").stdout.strip()
    dk("kill", cid)
    assert dk("wait", cid).stdout.strip() == "137"
    dk("start", cid)
    assert dk.status(cid) == "running"
    _berth_state(dk, cid)
    dk("rm", "-f", cid)


def test_create_start_attach(dk: Docker) -> None:
    cid = dk("create", "--runtime", "berth", "--network", "none", IMAGE, "sh", "-c",
             "echo started; exit 4").stdout.strip()
    assert dk.status(cid) == "created"
    res = dk("start", "-a", cid, check=False)
    assert (res.returncode, res.stdout) == (4, "started\n"), res.stderr
    dk("rm", cid)


def test_run_and_exec_tty(dk: Docker) -> None:
    """``-t``: the shim passes --console-socket to create and to exec."""
    cid = dk.run("-d", "-t", IMAGE, "sh").stdout.strip()
    assert dk("exec", cid, "readlink", "/proc/1/fd/0").stdout.strip() == "/dev/pts/0"
    assert dk("exec", "-t", cid, "tty").stdout.strip() == "/dev/pts/1"   # a pty of its own
    dk("rm", "-f", cid)
