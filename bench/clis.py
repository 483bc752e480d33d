"""The command lines that rows drive, by engine name, with the reason when one cannot run.

Engine names used across rows:

- ``docker`` — the docker CLI (v28) against the private dockerd 20.10;
- ``berth`` — the ``berth`` CLI against the private berthd;
- ``docker@berthd`` — the same docker CLI against berthd, so the CLI's own start-up cancels
  out of its ratio against ``docker``;
- ``podman`` — daemonless podman on private storage.

``run_args`` are the flags ``run``/``create`` need on this host (podman's cgroup parent and
rlimits); the others need none. ``rm_argv`` force-removes without a grace period (podman's
``rm -f`` would otherwise wait 10 s for a ``sleep`` that ignores SIGTERM as pid 1).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bench.core import Unavailable


@dataclass(frozen=True)
class Cli:
    """One engine's command-line prefix, environment and per-``run`` flags."""

    prefix: tuple[str, ...]
    env: Mapping[str, str]
    run_args: tuple[str, ...] = ()
    rm_args: tuple[str, ...] = ("rm", "-f")
    daemon: Any = field(default=None, compare=False)  # the engine handle (pids, sock)

    def argv(self, *args: str) -> list[str]:
        """The full command line for ``args``."""
        return [*self.prefix, *args]

    def create_argv(self, verb: str, *args: str) -> list[str]:
        """``verb`` (run/create) with the host's required flags, then ``args``."""
        return [*self.prefix, verb, *self.run_args, *args]

    def rm_argv(self, *names: str) -> list[str]:
        """Force-remove ``names`` at once (podman: no 10 s grace for a pid 1 ignoring TERM)."""
        return [*self.prefix, *self.rm_args, *names]


def _docker_at_berthd(ctx: Any) -> Cli:
    b = ctx.berthd()
    docker = shutil.which("docker")
    if not docker:
        raise Unavailable("docker CLI: not installed")
    return Cli((docker, "-H", f"unix://{b.sock}"), b.env, daemon=b)


def _from(start: Callable[[], Any], podman: bool = False) -> Cli:
    e = start()
    if podman:
        return Cli(tuple(e.cli()), e.env, tuple(e.run_args()), ("rm", "-f", "-t", "0"), daemon=e)
    return Cli(tuple(e.cli()), e.env, daemon=e)


def clis(ctx: Any, engines: Iterable[str]) -> tuple[dict[str, Cli], dict[str, str]]:
    """({engine: Cli}, {engine: reason}) for the ``engines`` asked for."""
    makers: dict[str, Callable[[], Cli]] = {
        "docker": lambda: _from(ctx.dockerd),
        "berth": lambda: _from(ctx.berthd),
        "docker@berthd": lambda: _docker_at_berthd(ctx),
        "podman": lambda: _from(ctx.podman, podman=True),
    }
    got: dict[str, Cli] = {}
    reasons: dict[str, str] = {}
    for engine in engines:
        if engine not in makers:
            raise ValueError(f"unknown CLI engine {engine!r}")
        try:
            got[engine] = makers[engine]()
        except Unavailable as e:
            reasons[engine] = str(e)
    return got, reasons
