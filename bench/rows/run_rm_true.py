"""``run --rm --network none busybox true``: berth CLI and docker CLI against berthd, docker
(private dockerd) and podman."""

from __future__ import annotations

from bench.clis import Cli, clis
from bench.context import Context
from bench.core import Row
from bench.proc import timed


class RunRmTrue(Row):
    """One short-lived container, create to removal, as a user types it."""

    name = "run_rm_true"
    title = "run --rm --network none busybox true"
    subjects = ("berth", "docker@berthd")
    references = ("docker", "podman")
    repeat = 10
    quick_repeat = 3
    order = 30
    target = "berth <= 0.3x docker (issue 4)"
    notes = ("berth = berth CLI -> berthd; docker@berthd = docker CLI v28 -> berthd; docker CLI "
             "v28 -> dockerd 20.10; podman uses runc (crun refuses hybrid mode)")

    def setup(self, ctx: Context) -> dict[str, str]:
        self.clis: dict[str, Cli]
        self.clis, reasons = clis(ctx, self.engines)
        return reasons

    def measure(self, engine: str) -> float:
        c = self.clis[engine]
        return timed(c.create_argv("run", "--rm", "--network", "none", "busybox", "true"),
                     env=c.env, timeout=120)


ROWS = [RunRmTrue]
