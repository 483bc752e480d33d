"""The container verbs one by one, as docker-surface and anchor-figures.md list them.

Each repetition, per engine: ``create`` a ``busybox true`` container (timed), ``start -a`` it
(timed: start, attach, wait for the exit), remove it (untimed); then ``run -d`` a ``busybox
sleep`` (untimed), ``exec`` ``true`` in it (timed), ``stop -t 0`` it (timed: sleep as pid 1
ignores SIGTERM, so a grace period would only measure the timeout), remove it (untimed).
Every container uses ``--network none``. A verb an engine lacks yet (berth's ``exec`` while it
is being built) is reported for that part alone; the other parts still count.
"""

from __future__ import annotations

import itertools
import re

from bench.clis import Cli, clis
from bench.context import Context
from bench.core import Missing, Row, Sample
from bench.proc import run, timed
from bench.runner import explain

NET = ("--network", "none")


def container_name(engine: str, kind: str, n: int) -> str:
    """A container name valid for every engine (``docker@berthd`` has an ``@``)."""
    return f"bench-{re.sub(r'[^a-zA-Z0-9_.-]', '-', engine)}-{kind}-{n}"


class ContainerLifecycle(Row):
    """create / start -a / exec true / stop, each its own figure."""

    name = "container_lifecycle"
    title = "create, start -a (busybox true); exec true, stop -t 0 (running busybox sleep)"
    subjects = ("berth", "docker@berthd")
    references = ("docker", "podman")
    repeat = 8
    quick_repeat = 2
    order = 32
    notes = ("parts timed separately in one repetition; removal untimed; --network none. "
             "stop -t 0: the stop machinery without the grace period (sleep ignores SIGTERM)")

    def setup(self, ctx: Context) -> dict[str, str]:
        self.clis: dict[str, Cli]
        self.clis, reasons = clis(ctx, self.engines)
        self.ids = itertools.count()
        self.made: list[tuple[str, str]] = []
        return reasons

    def _rm(self, engine: str, name: str) -> None:
        c = self.clis[engine]
        run(c.rm_argv(name), env=c.env, check=False, timeout=120)
        if (engine, name) in self.made:
            self.made.remove((engine, name))

    def measure(self, engine: str) -> Sample:
        c, n = self.clis[engine], next(self.ids)
        parts: dict[str, float | Missing] = {}
        once = container_name(engine, "true", n)
        self.made.append((engine, once))
        try:
            parts["create"] = timed(c.create_argv("create", *NET, "--name", once, "busybox",
                                                  "true"), env=c.env, timeout=120)
            parts["start -a"] = timed(c.argv("start", "-a", once), env=c.env, timeout=120)
        finally:
            self._rm(engine, once)
        sleeper = container_name(engine, "sleep", n)
        self.made.append((engine, sleeper))
        try:
            run(c.create_argv("run", "-d", *NET, "--name", sleeper, "busybox", "sleep", "1000"),
                env=c.env, timeout=120)
            try:
                parts["exec"] = timed(c.argv("exec", sleeper, "true"), env=c.env, timeout=120)
            except Exception as e:
                parts["exec"] = Missing(explain(e))
            parts["stop"] = timed(c.argv("stop", "-t", "0", sleeper), env=c.env, timeout=120)
        finally:
            self._rm(engine, sleeper)
        return parts

    def teardown(self) -> None:
        for engine, name in list(getattr(self, "made", [])):
            self._rm(engine, name)


ROWS = [ContainerLifecycle]
