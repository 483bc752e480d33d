"""A private berthd (and the ``berth`` CLI pointed at it) for the berth side of the rows.

berth is being built alongside this suite: when ``berth.daemon`` is not importable or berthd
does not answer, the handle raises Unavailable with the reason, and the rows print it.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

from bench.core import Unavailable
from bench.proc import CommandFailed, descendants, remove_tree, run, stop, wait_ready

BIN = Path(sys.executable).parent


def missing_module(name: str) -> str | None:
    """None when module ``name`` imports (as far as finding it goes), else a reason."""
    try:
        found = importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        found = False
    return None if found else f"berth: not yet implemented ({name} missing)"


class Berthd:
    """berthd on ``root/berthd.sock`` with its data and exec roots under ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.sock = root / "berthd.sock"
        self.proc: subprocess.Popen[bytes] | None = None
        self.env = {**os.environ, "DOCKER_CONFIG": str(root / "client")}
        self.env.pop("BERTH_HOST", None)
        self.env.pop("DOCKER_HOST", None)

    def cli(self, *args: str) -> list[str]:
        """The berth CLI command line for this daemon."""
        return [str(BIN / "berth"), "-H", f"unix://{self.sock}", *args]

    def start(self) -> Berthd:
        """Start berthd and wait until it answers /_ping."""
        for module in ("berth.daemon.__main__", "berth.cli.main"):
            if reason := missing_module(module):
                raise Unavailable(reason)
        self.root.mkdir(parents=True, exist_ok=True)
        log = (self.root / "berthd.log").open("wb")
        self.proc = subprocess.Popen(
            [str(BIN / "berthd"), "-H", f"unix://{self.sock}", "--data-root",
             str(self.root / "data"), "--exec-root", str(self.root / "exec"), "--pidfile",
             str(self.root / "berthd.pid")],
            stdout=log, stderr=log, stdin=subprocess.DEVNULL, env=self.env,
            start_new_session=True)
        try:
            wait_ready(self.sock, self.proc, 30)
        except CommandFailed as e:
            lines = (self.root / "berthd.log").read_text(errors="replace").strip().splitlines()
            tail = lines[-1][-200:] if lines else "no output"
            raise Unavailable(f"berth: berthd {e}: {tail}") from e
        return self

    def pids(self) -> list[int]:
        """berthd and everything below it (spawner, monitors)."""
        return [self.proc.pid, *descendants(self.proc.pid)] if self.proc else []

    def import_image(self, tarball: Path, ref: str) -> None:
        """``berth import`` a rootfs tarball as ``ref``."""
        run(self.cli("import", str(tarball), ref), env=self.env)

    def close(self) -> None:
        """Stop berthd (and what it spawned) and delete its roots."""
        try:
            if self.proc and self.proc.poll() is None:
                ids = run(self.cli("ps", "-aq"), env=self.env, check=False).stdout.split()
                if ids:
                    run(self.cli("rm", "-f", *ids), env=self.env, check=False)
                stop(self.proc)
        finally:
            remove_tree(self.root)
