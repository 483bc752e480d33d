"""An existing engine drives berth-runtime in runc's place: Debian's podman (with conmon).

Every podman call gets private state (``--root/--runroot/--tmpdir`` under one temp dir,
its own ``CONTAINERS_CONF``), cgroupfs, file events, no network and
``--runtime <venv>/bin/berth-runtime``. One busybox image is imported per module. Each
container is proven to be berth's: its state directory appears under berth-runtime's
default root and ``podman inspect`` names the runtime. See docs/design/runtime-compat.md.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from berth.testing.rootfs import make_busybox_tar
from berth.testing.scrub import scrub

pytestmark = pytest.mark.root

IMAGE = "localhost/busybox:latest"
BERTH_RUNTIME = Path(sys.executable).parent / "berth-runtime"
STATE_ROOT = Path("/run/berth-runtime")     # berth-runtime's default --root
# podman's default rlimits (nproc/nofile 1048576) cannot be set without CAP_SYS_RESOURCE:
# an empty list makes podman pass none, for runc and berth-runtime alike. "berth" is
# the same binary registered by name, listed as taking runc's --log-format=json.
CONTAINERS_CONF = """\
[containers]
default_ulimits = []
netns = "none"

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime_supports_json = ["crun", "runc", "berth"]

[engine.runtimes]
berth = ["{runtime}"]
"""


class Podman:
    """podman with this module's private roots; ``runtime`` is what ``--runtime`` gets."""

    def __init__(self, base: Path, runtime: str) -> None:
        self.base, self.runtime = base, runtime
        self.conf = base / "containers.conf"
        self.conf.write_text(CONTAINERS_CONF.format(runtime=BERTH_RUNTIME))
        self.env = dict(os.environ, CONTAINERS_CONF=str(self.conf))

    def argv(self, *args: str, runtime: str | None = None) -> list[str]:
        b = self.base
        return ["podman", "--root", str(b / "root"), "--runroot", str(b / "runroot"),
                "--tmpdir", str(b / "tmp"), "--cgroup-manager", "cgroupfs",
                "--events-backend", "file", "--storage-driver", "overlay",
                "--runtime", runtime or self.runtime, *args]

    def __call__(self, *args: str, check: bool = True, timeout: float = 60,
                 runtime: str | None = None,
                 input: str | None = None) -> subprocess.CompletedProcess[str]:
        """Run podman; without ``input`` its stdin is /dev/null."""
        cmd = self.argv(*args, runtime=runtime)
        res = subprocess.run(cmd, env=self.env, capture_output=True, text=True,
                             timeout=timeout, input=input,
                             stdin=subprocess.DEVNULL if input is None else None)
        if check and res.returncode != 0:
            raise AssertionError(f"{cmd} -> {res.returncode}\nstdout: {res.stdout}\n"
                                 f"stderr: {res.stderr}")
        return res

    def status(self, cid: str) -> str:
        return self("inspect", "--format", "{{.State.Status}}", cid).stdout.strip()

    def remove_all(self) -> None:
        ids = self("ps", "-aq", "--no-trunc", check=False).stdout.split()
        if ids:
            self("rm", "-f", "-t", "0", *ids, check=False)

    def teardown(self) -> None:
        """Containers, conmons and mounts of this instance, then its directories."""
        self.remove_all()
        self("system", "reset", "-f", check=False, timeout=120)
        scrub(self.base)


@pytest.fixture(scope="module")
def podman() -> Iterator[Podman]:
    if shutil.which("podman") is None:
        pytest.fail("podman is not installed: run `make install` (it is in APT_PACKAGES)")
    if not BERTH_RUNTIME.exists():
        pytest.fail(f"{BERTH_RUNTIME} missing: run `make install`")
    base = Path(tempfile.mkdtemp(prefix="berth-podman-", dir="/tmp"))
    pm = Podman(base, str(BERTH_RUNTIME))
    try:
        tar = make_busybox_tar(base / "busybox.tar", base / "build")
        pm("import", str(tar), IMAGE)
        shutil.rmtree(base / "build")
        yield pm
    finally:
        pm.teardown()


@pytest.fixture
def pm(podman: Podman) -> Iterator[Podman]:
    """The module's podman; every container is removed after each test, pass or fail."""
    try:
        yield podman
    finally:
        podman.remove_all()


def _assert_berth_ran(pm: Podman, cid: str) -> None:
    """The container is berth-runtime's (not a fallback to runc or crun)."""
    assert (STATE_ROOT / cid / "state.json").exists(), f"no berth-runtime state for {cid}"
    assert pm("inspect", "--format", "{{.OCIRuntime}}", cid).stdout.strip() == pm.runtime


def _run_detached(pm: Podman, *args: str) -> str:
    cid = pm("run", "-d", IMAGE, *args).stdout.strip()
    assert len(cid) == 64, cid
    return cid


def test_run_rm_prints_output(pm: Podman) -> None:
    res = pm("run", "--rm", IMAGE, "echo", "hi")
    assert res.stdout == "hi\n"
    res = pm("run", "--rm", "-i", IMAGE, "sh", "-c", "cat; echo", input="piped")
    assert res.stdout == "piped\n"
    assert pm("ps", "-aq").stdout == ""


def test_exit_codes_propagate(pm: Podman) -> None:
    assert pm("run", "--rm", IMAGE, "sh", "-c", "exit 3", check=False).returncode == 3
    res = pm("run", "--rm", IMAGE, "/nonexistent", check=False)
    assert res.returncode == 127, res.stderr
    assert "/nonexistent" in res.stderr
    res = pm("run", "--rm", IMAGE, "/etc/passwd", check=False)
    assert res.returncode == 126, res.stderr


def test_runtime_errors_reach_podman_through_json_log(pm: Podman) -> None:
    """Registered by name and listed in runtime_supports_json, podman passes runc's
    ``--log-format=json --log <file>`` and shows the runtime's message from that file."""
    res = pm("run", "--rm", IMAGE, "/nonexistent", check=False, runtime="berth")
    assert res.returncode == 127, res.stderr
    assert 'exec: "/nonexistent"' in res.stderr and "berth:" in res.stderr
    res = pm("run", "--rm", "-w", "/nowhere", IMAGE, "true", check=False, runtime="berth")
    assert res.returncode != 0 and "/nowhere" in res.stderr, res.stderr
    assert pm("run", "--rm", IMAGE, "echo", "ok", runtime="berth").stdout == "ok\n"


def test_detached_exec_stop_rm(pm: Podman) -> None:
    cid = _run_detached(pm, "sleep", "60")
    _assert_berth_ran(pm, cid)
    assert pm.status(cid) == "running"
    assert cid[:12] in pm("ps", "--format", "{{.ID}} {{.Status}}").stdout
    assert pm("exec", cid, "cat", "/etc/hostname").stdout.strip() == cid[:12]
    assert pm("exec", cid, "sh", "-c", "exit 5", check=False).returncode == 5
    assert pm("exec", cid, "/nonexistent", check=False).returncode == 127
    res = pm("exec", "-i", "-e", "X=1", "-u", "1000:1000", cid, "sh", "-c",
             "echo $X $(id -u):$(id -g); cat", input="from-stdin")
    assert res.stdout == "1 1000:1000\nfrom-stdin"
    pm("stop", "-t", "0", cid)      # sleep as pid 1 ignores SIGTERM: -t 0 goes to SIGKILL
    assert pm.status(cid) == "exited"
    assert "Exited (137)" in pm("ps", "-a", "--format", "{{.ID}} {{.Status}}").stdout
    pm("rm", cid)
    assert not (STATE_ROOT / cid).exists()
    assert pm("ps", "-aq").stdout == ""


def test_kill_wait_restart_and_rm_force(pm: Podman) -> None:
    cid = _run_detached(pm, "sleep", "60")
    pm("kill", "--signal", "KILL", cid)
    assert pm("wait", cid).stdout.strip() == "137"
    assert pm.status(cid) == "exited"
    pm("start", cid)                # a new berth container under the same id
    assert pm.status(cid) == "running"
    _assert_berth_ran(pm, cid)
    pm("rm", "-f", "-t", "0", cid)
    assert not (STATE_ROOT / cid).exists()


def test_exec_detached_and_pause(pm: Podman) -> None:
    cid = _run_detached(pm, "sleep", "60")
    pm("exec", "-d", cid, "sleep", "55")
    assert "sleep 55" in pm("exec", cid, "ps", "-o", "args").stdout
    pm("pause", cid)
    assert pm.status(cid) == "paused"
    assert "Paused" in pm("ps", "-a", "--format", "{{.Status}}").stdout
    pm("unpause", cid)
    assert pm.status(cid) == "running"
    assert pm("exec", cid, "echo", "alive").stdout == "alive\n"


def test_create_then_start_attach(pm: Podman) -> None:
    cid = pm("create", IMAGE, "sh", "-c", "echo started; exit 4").stdout.strip()
    assert pm.status(cid) == "created"
    assert "Created" in pm("ps", "-a", "--format", "{{.Status}}").stdout
    res = pm("start", "-a", cid, check=False)
    assert (res.returncode, res.stdout) == (4, "started\n"), res.stderr
    assert pm.status(cid) == "exited"
    assert pm("logs", cid).stdout == "started\n"
    pm("rm", cid)


def test_config_reaches_container(pm: Podman) -> None:
    """A few of podman's spec fields, as the process inside sees them."""
    res = pm("run", "--rm", "--hostname", "hh", "--user", "12:34", "--read-only",
             "--memory", "64m", "--pids-limit", "50", "--cap-drop", "ALL", IMAGE, "sh", "-c",
             "hostname; id -u; id -g; touch /x 2>/dev/null || echo ro;"
             " cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max;"
             " grep CapEff /proc/self/status")
    assert res.stdout.split("\n") == ["hh", "12", "34", "ro", str(64 << 20), "50",
                                      "CapEff:\t0000000000000000", ""]


def test_run_tty(pm: Podman) -> None:
    """``-t``: conmon hands berth-runtime a --console-socket; the pty master comes back."""
    master, slave = os.openpty()
    try:
        proc = subprocess.Popen(pm.argv("run", "--rm", "-t", IMAGE, "sh", "-c", "tty; exit 2"),
                                env=pm.env, stdin=slave, stdout=slave, stderr=slave,
                                start_new_session=True)
        os.close(slave)
        slave = -1
        out = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:         # EIO: every slave fd is closed
                break
            if not chunk:
                break
            out += chunk
        assert proc.wait(timeout=60) == 2, out
    finally:
        os.close(master)
        if slave >= 0:
            os.close(slave)
    assert b"/dev/pts/0" in out, out
