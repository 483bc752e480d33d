"""``run --rm --network none busybox true`` through docker (private dockerd), podman and berth."""

from __future__ import annotations

from collections.abc import Mapping

from bench.context import Context
from bench.core import Row, Unavailable
from bench.proc import timed


class RunRmTrue(Row):
    """One short-lived container, create to removal, as a user types it."""

    name = "run_rm_true"
    title = "run --rm --network none busybox true"
    subjects = ("berth",)
    references = ("docker", "podman")
    repeat = 10
    quick_repeat = 3
    order = 30
    target = "berth <= 0.3x docker (issue 4)"
    notes = "docker CLI v28 against dockerd 20.10; podman uses runc (crun refuses hybrid mode)"

    def setup(self, ctx: Context) -> dict[str, str]:
        self.cmds: dict[str, tuple[list[str], Mapping[str, str]]] = {}
        reasons: dict[str, str] = {}
        tail = ["run", "--rm", "--network", "none"]
        for engine, start in (("docker", ctx.dockerd), ("berth", ctx.berthd)):
            try:
                d = start()
                self.cmds[engine] = (d.cli(*tail, "busybox", "true"), d.env)
            except Unavailable as e:
                reasons[engine] = str(e)
        try:
            p = ctx.podman()
            self.cmds["podman"] = (p.cli(*tail, *p.run_args(), "busybox", "true"), p.env)
        except Unavailable as e:
            reasons["podman"] = str(e)
        return reasons

    def measure(self, engine: str) -> float:
        cmd, env = self.cmds[engine]
        return timed(cmd, env=env, timeout=120)


ROWS = [RunRmTrue]
