"""Memory per running container: the per-container processes and the daemon's growth.

Per repetition and engine: ``run -d --network none busybox sleep`` N = 20 times (untimed), a
second of rest, then

- ``monitor``: PSS (from /proc/<pid>/smaps_rollup) of the per-container processes divided by
  N — the parent of each container's init (``State.Pid``): berth's monitor, docker's
  containerd-shim-runc-v2, podman's conmon — with their descendants that live in the host's
  pid namespace; the container's own processes (in its pid namespace) are not counted;
- ``monitor rss``: the same processes' RSS / N, for comparison with anchor-figures.md;
- ``daemon growth``: (daemon tree PSS after - before) / N, the daemon tree being berthd and its
  children, or dockerd + its containerd, minus the processes above (podman has no daemon);
- ``total``: monitor + daemon growth;

then ``rm -f`` of the N containers (untimed).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterable

from bench.clis import Cli, clis
from bench.context import Context
from bench.core import Missing, Row, Sample
from bench.memory import tree_mib
from bench.proc import descendants, run

N = 20


def ppid(pid: int, proc: str = "/proc") -> int:
    """The parent of ``pid`` (0 when it is gone)."""
    try:
        with open(f"{proc}/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def pid_ns(pid: int | str, proc: str = "/proc") -> str:
    """The pid namespace of ``pid`` ('' when it is gone)."""
    try:
        return os.readlink(f"{proc}/{pid}/ns/pid")
    except OSError:
        return ""


def per_container(inits: Iterable[int], daemon: set[int],
                  parent: Callable[[int], int] = ppid,
                  below: Callable[[int], list[int]] = descendants,
                  ns: Callable[[int | str], str] = pid_ns) -> set[int]:
    """The processes each container costs beyond its own: the parent of each init (unless it
    is a daemon process, pid 1 or gone) and that parent's descendants in the host pid ns."""
    host = ns("self")
    found: set[int] = set()
    for init in inits:
        monitor = parent(init)
        if monitor <= 1 or monitor in daemon:
            continue
        found.add(monitor)
        found.update(p for p in below(monitor) if ns(p) == host)
    return found


class MemoryPerContainer(Row):
    """PSS per running container beyond the container's own processes."""

    name = "memory_per_container"
    title = f"memory per running container ({N} busybox sleep)"
    unit = "MiB"
    subjects = ("berth",)
    references = ("docker", "podman")
    repeat = 3
    quick_repeat = 1
    warmup = 0
    order = 55
    target = "berth <= 1 MiB PSS per container beyond its own processes (issue 4)"
    notes = (f"per container = sum over {N} containers / {N}; monitor = parent of the "
             "container's init (berth monitor, containerd-shim-runc-v2, conmon) + its host-pidns "
             "descendants; daemon growth = daemon tree PSS after - before, monitors left out. "
             "berth's monitors are native programs exec'd by children of its spawner (below "
             "berthd), so they share little with the daemon tree; its growth can still be "
             "slightly negative (noise), so read total")

    def setup(self, ctx: Context) -> dict[str, str]:
        self.clis: dict[str, Cli]
        self.clis, reasons = clis(ctx, self.engines)
        self.running: dict[str, list[str]] = {}
        return reasons

    def _daemon_pids(self, engine: str, exclude: set[int]) -> list[int]:
        daemon = self.clis[engine].daemon
        pids = daemon.pids() if hasattr(daemon, "pids") else []
        host = pid_ns("self")
        return [p for p in pids if p not in exclude and pid_ns(p) == host]

    def measure(self, engine: str) -> Sample:
        c = self.clis[engine]
        has_daemon = engine != "podman"
        daemon = set(self._daemon_pids(engine, set())) if has_daemon else set()
        before = tree_mib(sorted(daemon))["pss"] if has_daemon else 0.0
        ids = self.running.setdefault(engine, [])
        try:
            for _ in range(N):
                out = run(c.create_argv("run", "-d", "--network", "none", "busybox", "sleep",
                                        "100000"), env=c.env, timeout=120).stdout.split()
                ids.append(out[-1])
            time.sleep(1.0)
            inits = [int(x) for x in run(c.argv("inspect", "--format", "{{.State.Pid}}", *ids),
                                         env=c.env, timeout=60).stdout.split()]
            if len(inits) != N or 0 in inits:
                raise RuntimeError(f"{engine}: expected {N} running containers, pids {inits}")
            monitors = per_container(inits, daemon)  # berth's are below berthd: not "now"
            if not monitors:
                raise RuntimeError(f"{engine}: no per-container process found above the inits")
            mon = tree_mib(monitors)
            per = mon["pss"] / N
            parts: dict[str, float | Missing] = {"monitor": per, "monitor rss": mon["rss"] / N}
            if has_daemon:
                growth = (tree_mib(self._daemon_pids(engine, monitors))["pss"] - before) / N
                parts["daemon growth"] = growth
                parts["total"] = per + growth
            else:
                parts["daemon growth"] = Missing("podman: no daemon")
                parts["total"] = per
            return parts
        finally:
            self._remove(engine)

    def _remove(self, engine: str) -> None:
        ids = self.running.pop(engine, [])
        if ids:
            c = self.clis[engine]
            with contextlib.suppress(Exception):
                run(c.rm_argv(*ids), env=c.env, check=False, timeout=300)

    def teardown(self) -> None:
        for engine in list(getattr(self, "running", {})):
            self._remove(engine)


ROWS = [MemoryPerContainer]
