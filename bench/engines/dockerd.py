"""A private dockerd (with the containerd it supervises) for the reference rows.

Started with ``--bridge none --iptables=false --ip6tables=false --ip-masq=false`` for the
``--network none`` rows: these flags keep dockerd from touching the host's firewall, which
other people's tests on this machine rely on and which a snapshot/restore could clobber under
them. A row that needs the bridge must start dockerd with ``network=True``: it gets the
bench's own bridge (``bench.engines.bridge``, not ``docker0``, which any ``--bridge none``
dockerd deletes when it starts) and its iptables tables are snapshotted and restored after.
Containers' cgroups go under ``berth-bench-docker`` so they can be found and removed.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import subprocess
from pathlib import Path

from bench.core import Unavailable
from bench.engines.bridge import BenchBridge
from bench.engines.firewall import RulesetSnapshot
from bench.proc import (
    CommandFailed,
    descendants,
    remove_cgroups,
    remove_tree,
    run,
    stop,
    wait_ready,
)

log = logging.getLogger("bench")
CGROUP_PARENT = "berth-bench-docker"
KEY_JSON = Path("/etc/docker/key.json")


class Dockerd:
    """dockerd on ``root/docker.sock`` with data, exec roots and pidfile under ``root``."""

    def __init__(self, root: Path, network: bool = False) -> None:
        self.root = root
        self.sock = root / "docker.sock"
        self.network = network
        self.proc: subprocess.Popen[bytes] | None = None
        self._firewall: RulesetSnapshot | None = None
        self._bridge: BenchBridge | None = None
        self._key_existed = KEY_JSON.exists()
        self.client = shutil.which("docker") or ""
        self.env = {**os.environ, "DOCKER_CONFIG": str(root / "client")}

    def cli(self, *args: str) -> list[str]:
        """The docker CLI command line for this daemon."""
        return [self.client, "-H", f"unix://{self.sock}", *args]

    def start(self) -> Dockerd:
        """Start dockerd and wait until it answers /_ping."""
        binary = shutil.which("dockerd")
        if not binary or not self.client:
            raise Unavailable("docker: not installed (run with --install)")
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "daemon.json").write_text("{}\n")
        if self.network:
            self._bridge = BenchBridge()
            bridge = self._bridge.open()
            self._firewall = RulesetSnapshot.take()
        args = [binary, "-H", f"unix://{self.sock}", "--data-root", str(self.root / "data"),
                "--exec-root", str(self.root / "exec"), "--pidfile", str(self.root / "docker.pid"),
                "--config-file", str(self.root / "daemon.json"), "--cgroup-parent", CGROUP_PARENT,
                "--log-level", "error", "--storage-driver", "overlay2"]
        if self.network:
            args += ["--bridge", bridge]
        else:
            args += ["--bridge", "none", "--iptables=false", "--ip6tables=false",
                     "--ip-masq=false"]
        log = (self.root / "dockerd.log").open("wb")
        self.proc = subprocess.Popen(args, stdout=log, stderr=log, stdin=subprocess.DEVNULL,
                                     start_new_session=True)
        try:
            wait_ready(self.sock, self.proc, 60)
        except CommandFailed as e:
            tail = (self.root / "dockerd.log").read_text(errors="replace").strip()[-300:]
            raise Unavailable(f"docker: dockerd {e}: {tail}") from e
        return self

    def pids(self) -> list[int]:
        """dockerd and everything below it (its containerd, shims)."""
        return [self.proc.pid, *descendants(self.proc.pid)] if self.proc else []

    def import_image(self, tarball: Path, ref: str) -> None:
        """``docker import`` a rootfs tarball as ``ref``."""
        run(self.cli("import", str(tarball), ref), env=self.env)

    def close(self) -> None:
        """Remove containers, stop the daemons, restore the firewall, delete the bridge and
        every root."""
        try:
            if self.proc and self.proc.poll() is None:
                ids = run(self.cli("ps", "-aq"), env=self.env, check=False).stdout.split()
                if ids:
                    run(self.cli("rm", "-f", *ids), env=self.env, check=False)
                stop(self.proc)
        finally:
            try:
                if self._firewall:
                    self._firewall.restore()
            except subprocess.CalledProcessError as e:  # the rest of the clean-up still runs
                log.warning("docker: iptables tables not restored: %s", e.stderr.strip())
            finally:
                if self._bridge:
                    self._bridge.close()
                remove_tree(self.root)
                remove_cgroups(CGROUP_PARENT)
                self._clean_etc()

    def _clean_etc(self) -> None:
        """dockerd 20.10 writes /etc/docker/key.json (no flag moves it); remove it if new."""
        if not self._key_existed:
            KEY_JSON.unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                KEY_JSON.parent.rmdir()  # only if empty: docker-registry keeps its config here
