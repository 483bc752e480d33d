"""Idle daemon memory: berthd (and its children) against dockerd + its containerd.

PSS from /proc/<pid>/smaps_rollup splits shared pages between the processes that map them, so
a tree's PSS is what it really costs; RSS is reported beside it for comparison with
anchor-figures.md. Sampled after the base images are imported and one second of rest.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from bench.context import Context
from bench.core import Row, Sample, Unavailable
from bench.memory import tree_mib


class DaemonIdleRss(Row):
    """Memory of each daemon's process tree while nothing runs."""

    name = "daemon_idle_rss"
    title = "idle daemon memory (process tree)"
    unit = "MiB"
    subjects = ("berth",)
    references = ("docker",)
    repeat = 5
    quick_repeat = 3
    warmup = 0
    order = 50
    target = "berthd <= 0.5x dockerd+containerd (issue 4)"

    def setup(self, ctx: Context) -> dict[str, str]:
        self.pids: dict[str, Callable[[], list[int]]] = {}
        reasons: dict[str, str] = {}
        for engine, start in (("berth", ctx.berthd), ("docker", ctx.dockerd)):
            try:
                self.pids[engine] = start().pids
            except Unavailable as e:
                reasons[engine] = str(e)
        return reasons

    def measure(self, engine: str) -> Sample:
        time.sleep(1.0)
        pids = self.pids[engine]()
        if not pids:
            raise Unavailable(f"{engine}: daemon not running")
        return tree_mib(pids)


ROWS = [DaemonIdleRss]
