"""``images`` against each engine's own store: docker→dockerd, berth→berthd, docker@berthd.

``docker@berthd`` is the real docker CLI talking to berthd, so the CLI's own start-up cost
cancels out of its ratio against docker→dockerd.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping

from bench.context import Context
from bench.core import Row, Unavailable
from bench.proc import timed


class ImagesList(Row):
    """List images (busybox and Debian imported in each store)."""

    name = "images_list"
    title = "images (list the local store)"
    subjects = ("berth", "docker@berthd")
    references = ("docker", "podman")
    repeat = 15
    quick_repeat = 5
    order = 40

    def setup(self, ctx: Context) -> dict[str, str]:
        self.cmds: dict[str, tuple[list[str], Mapping[str, str]]] = {}
        reasons: dict[str, str] = {}
        try:
            d = ctx.dockerd()
            self.cmds["docker"] = (d.cli("images"), d.env)
        except Unavailable as e:
            reasons["docker"] = str(e)
        try:
            b = ctx.berthd()
            self.cmds["berth"] = (b.cli("images"), b.env)
            if docker := shutil.which("docker"):
                self.cmds["docker@berthd"] = ([docker, "-H", f"unix://{b.sock}", "images"], b.env)
            else:
                reasons["docker@berthd"] = "docker CLI: not installed"
        except Unavailable as e:
            reasons["berth"] = reasons["docker@berthd"] = str(e)
        try:
            p = ctx.podman()
            self.cmds["podman"] = (p.cli("images"), p.env)
        except Unavailable as e:
            reasons["podman"] = str(e)
        return reasons

    def measure(self, engine: str) -> float:
        cmd, env = self.cmds[engine]
        return timed(cmd, env=env, timeout=60)


ROWS = [ImagesList]
