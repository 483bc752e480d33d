"""End-to-end fixtures: a real ``berthd`` subprocess driven by real clients.

Reuse these in any ``tests/e2e`` module:

``berthd`` (function scope) / ``berthd_module`` (one daemon per test module)
    A ``Berthd`` running ``python -m berth.daemon`` with private roots under a short
    ``/tmp/bd-XXXX`` directory (unix socket paths must stay under 108 bytes). Waits until
    ``/_ping`` answers; on teardown sends SIGTERM (then SIGKILL after 10 s), checks the
    socket and pidfile are gone, and removes the directory. Attributes: ``sock`` (Path),
    ``url`` (``unix:///…``), ``data_root``, ``exec_root``, ``pidfile``, ``log`` (daemon
    stderr file), ``proc``. Helpers (import nothing from this file: use the fixtures):

    - ``alive()`` True while ``/_ping`` answers.
    - ``kill9_and_restart()`` SIGKILLs the daemon and starts a new one on the same roots.

    - ``docker(*args, input=None, check=True, timeout=60)`` runs the real docker CLI
      against the daemon (private ``DOCKER_CONFIG``; ``DOCKER_HOST`` unset) and returns the
      ``CompletedProcess`` (text mode unless ``input`` is bytes); on ``check`` failure the
      assertion message carries stdout, stderr and the daemon's log.
    - ``client()`` a ``docker.DockerClient`` (docker-py) bound to the socket; closed at
      teardown.
    - ``berth(*args, ...)`` same as ``docker`` but runs berth's own CLI.
    - ``remove_all_containers()`` force-removes every container through the API; ``stop()``
      calls it first (containers outlive berthd by design), then kills any monitor still
      recorded under the exec-root and unmounts what is left under the daemon's root.

``d`` (module scope) / ``clean_containers``
    ``berthd_module`` with ``busybox:latest`` imported; use ``clean_containers`` (e.g.
    ``pytest.mark.usefixtures("clean_containers")``) to remove containers after each test.

``berthd_factory``
    ``start(*extra_args) -> Berthd`` for tests that need several daemons or extra flags
    (e.g. ``--storage-driver native``); each is stopped and removed at teardown.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import os
import pty
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

BIN = Path(sys.executable).parent
START_TIMEOUT = 30.0


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: Path) -> None:
        super().__init__("localhost", timeout=5)
        self._path = str(path)

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.settimeout(5)
        self.sock.connect(self._path)


def ping(sock: Path) -> bool:
    """True when the daemon answers ``GET /_ping`` with OK."""
    conn = _UnixConnection(sock)
    try:
        conn.request("GET", "/_ping")
        resp = conn.getresponse()
        return resp.status == 200 and resp.read() == b"OK"
    except OSError:
        return False
    finally:
        conn.close()


class Berthd:
    """One running daemon and the ways to talk to it."""

    def __init__(self, root: Path, extra_args: tuple[str, ...]) -> None:
        self.root = root
        self.sock = root / "b.sock"
        self.url = f"unix://{self.sock}"
        self.data_root = root / "data"
        self.exec_root = root / "exec"
        self.pidfile = root / "exec" / "berthd.pid"
        self.log = root / "berthd.log"
        self.docker_config = root / "docker-config"
        self.docker_config.mkdir()
        self._clients: list[Any] = []
        cmd = [sys.executable, "-m", "berth.daemon", "-H", self.url, "--data-root",
               str(self.data_root), "--exec-root", str(self.exec_root),
               "--config-file", str(root / "daemon.json"), *extra_args]
        (root / "daemon.json").write_text("{}")
        self._cmd = cmd
        self._spawn()

    def _spawn(self) -> None:
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(self._cmd, stdout=log, stderr=log,
                                         start_new_session=True)
        self._wait_ready()

    def kill9_and_restart(self) -> None:
        """SIGKILL the daemon (no clean-up of any kind), then start it on the same roots."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self._spawn()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while not (self.sock.exists() and ping(self.sock)):
            if self.proc.poll() is not None:
                raise RuntimeError(f"berthd exited with {self.proc.returncode}:\n"
                                   f"{self.log.read_text()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"berthd did not answer /_ping:\n{self.log.read_text()}")
            time.sleep(0.02)

    def alive(self) -> bool:
        """Does the daemon still answer ``/_ping``?"""
        return ping(self.sock)

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if k not in ("DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_API_VERSION")}
        env["DOCKER_CONFIG"] = str(self.docker_config)
        return env

    def _run(self, argv: list[str], input: bytes | str | None, check: bool,
             timeout: float) -> subprocess.CompletedProcess[Any]:
        text = not isinstance(input, bytes)
        res = subprocess.run(argv, input=input, capture_output=True, text=text,
                             timeout=timeout, env=self._env())
        if check and res.returncode != 0:
            raise AssertionError(f"{' '.join(argv)} exited {res.returncode}\n"
                                 f"stdout: {res.stdout!r}\nstderr: {res.stderr!r}\n"
                                 f"berthd log:\n{self.log.read_text()[-4000:]}")
        return res

    def docker(self, *args: str, input: bytes | str | None = None, check: bool = True,
               timeout: float = 60) -> subprocess.CompletedProcess[Any]:
        return self._run(["docker", "-H", self.url, *args], input, check, timeout)

    def berth(self, *args: str, input: bytes | str | None = None, check: bool = True,
              timeout: float = 60) -> subprocess.CompletedProcess[Any]:
        return self._run([str(BIN / "berth"), "-H", self.url, *args], input, check, timeout)

    def on_pty(self, argv: list[str], typed: bytes = b"",
               timeout: float = 60) -> tuple[bytes, int]:
        """Run a CLI (``argv``) on a new pty against this daemon; type ``typed`` once the
        shell's prompt (``# ``) shows; (output, exit status). The pty's input stays open."""
        env = {k: v for k, v in os.environ.items() if k not in ("DOCKER_HOST", "DOCKER_CONTEXT")}
        env["DOCKER_CONFIG"] = str(self.docker_config)
        pid, fd = pty.fork()
        if pid == 0:  # child: becomes the CLI on the pty
            os.execvpe(argv[0], argv, env)
        out, sent = b"", not typed
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                ready, _, _ = select.select([fd], [], [], 0.5)
                if not ready:
                    continue
                try:
                    chunk = os.read(fd, 4096)
                except OSError:  # EIO: the CLI exited and the pty closed
                    break
                if not chunk:
                    break
                out += chunk
                if not sent and b"# " in out:
                    os.write(fd, typed)
                    sent = True
            else:
                os.kill(pid, signal.SIGKILL)
        finally:
            os.close(fd)
        _, st = os.waitpid(pid, 0)
        return out, os.waitstatus_to_exitcode(st)

    def same(self, *args: str, input: bytes | str | None = None) -> Any:
        """berth, docker, berth: docker's (stdout, stderr, status) must equal one of the
        two berth runs (the second absorbs a first run's warm-up differences); returns
        the second berth run."""
        runs = [self.berth(*args, input=input, check=False)]
        want = self.docker(*args, input=input, check=False)
        runs.append(self.berth(*args, input=input, check=False))

        def text(b: Any) -> Any:
            return b.decode() if isinstance(b, bytes) else b
        expect = (want.stdout, text(want.stderr).replace("docker", "berth"), want.returncode)
        got = [(r.stdout, text(r.stderr), r.returncode) for r in runs]
        assert expect in got, (got, expect)
        return runs[1]

    def client(self) -> Any:
        import docker

        c = docker.DockerClient(base_url=self.url, timeout=60)
        self._clients.append(c)
        return c

    def remove_all_containers(self) -> None:
        """``DELETE /containers/{id}?force=1`` for every container (best effort)."""
        if not self.alive():
            return
        import json

        conn = _UnixConnection(self.sock)
        try:
            conn.timeout = 60
            conn.request("GET", "/containers/json?all=1")
            resp = conn.getresponse()
            body = resp.read()
            ids = [c["Id"] for c in json.loads(body)] if resp.status == 200 else []
            for cid in ids:
                conn.request("DELETE", f"/containers/{cid}?force=1&v=1")
                conn.getresponse().read()
        except (OSError, ValueError, http.client.HTTPException):
            pass
        finally:
            conn.close()

    def _reap_leftovers(self) -> None:
        """Kill monitors (and so their containers) still recorded under the exec-root
        and unmount anything still mounted under the daemon's root."""
        for pidfile in (self.exec_root / "containers").glob("*/monitor.pid"):
            with contextlib.suppress(OSError, ValueError):
                os.kill(int(pidfile.read_text().split()[0]), signal.SIGKILL)
        # a daemon on a private exec-root names its default bridge and nft table after it
        # (berth.network.core); a clean stop removes them, a killed daemon may not have
        tag = hashlib.sha256(str(self.exec_root).encode()).hexdigest()[:8]
        subprocess.run(["ip", "link", "delete", f"bb{tag}"], capture_output=True, check=False)
        for family in ("ip", "ip6", "inet"):
            subprocess.run(["nft", "delete", "table", family, f"berth_{tag}"],
                           capture_output=True, check=False)
        try:
            mounts = Path("/proc/self/mountinfo").read_text().splitlines()
        except OSError:
            return
        points = [line.split()[4] for line in mounts]
        for point in sorted((p for p in points if p.startswith(str(self.root) + "/")),
                            key=len, reverse=True):
            subprocess.run(["umount", "-l", point], capture_output=True, check=False)

    def stop(self) -> int:
        """Remove containers, SIGTERM, then SIGKILL; returns the exit status."""
        self.remove_all_containers()
        for c in self._clients:
            with contextlib.suppress(Exception):
                c.close()
        self._clients.clear()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self._reap_leftovers()
        return self.proc.returncode


@pytest.fixture
def berthd_factory() -> Iterator[Callable[..., Berthd]]:
    started: list[Berthd] = []

    def start(*extra_args: str) -> Berthd:
        root = Path(tempfile.mkdtemp(prefix="bd-", dir="/tmp"))
        try:
            d = Berthd(root, extra_args)
        except BaseException:
            shutil.rmtree(root, ignore_errors=True)
            raise
        started.append(d)
        return d

    yield start
    for d in started:
        d.stop()
        shutil.rmtree(d.root, ignore_errors=True)


@pytest.fixture
def berthd(berthd_factory: Callable[..., Berthd]) -> Berthd:
    return berthd_factory()


@pytest.fixture(scope="module")
def d(berthd_module: Berthd, tmp_path_factory: pytest.TempPathFactory) -> Berthd:
    """``berthd_module`` with ``busybox:latest`` imported (a busybox-static rootfs, CMD sh)."""
    from berth.testing.rootfs import make_busybox_tar

    work = tmp_path_factory.mktemp("busybox")
    tar = make_busybox_tar(work / "busybox.tar", work)
    berthd_module.docker("import", "-c", 'CMD ["sh"]', str(tar), "busybox:latest")
    return berthd_module


@pytest.fixture
def clean_containers(d: Berthd) -> Iterator[None]:
    """Remove every container of ``d`` after the test (modules share one daemon)."""
    yield
    d.remove_all_containers()


@pytest.fixture
def nets(d: Berthd) -> Iterator[list[str]]:
    """Network names a test made: removed after it (its containers first)."""
    made: list[str] = []
    yield made
    d.remove_all_containers()
    for name in made:
        d.berth("network", "rm", "-f", name, check=False)


@pytest.fixture(scope="module")
def berthd_module() -> Iterator[Berthd]:
    root = Path(tempfile.mkdtemp(prefix="bd-", dir="/tmp"))
    try:
        d = Berthd(root, ())
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    yield d
    d.stop()
    shutil.rmtree(root, ignore_errors=True)
