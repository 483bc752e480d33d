"""``save`` then ``load`` of an image through each engine's CLI: busybox and Debian minbase.

Each turn: ``save -o FILE REF`` (timed), ``rmi REF`` (untimed, so that load really unpacks
instead of re-tagging), ``load -i FILE`` (timed), then the file is removed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from bench import images
from bench.context import Context
from bench.core import Row, Sample, Unavailable
from bench.proc import run, timed


class _SaveLoad(Row):
    """Shared body; subclasses name the image."""

    ref: ClassVar[str]
    subjects = ("berth",)
    references = ("docker", "podman")
    order = 60

    def setup(self, ctx: Context) -> dict[str, str]:
        self.clis: dict[str, tuple[Callable[..., list[str]], Mapping[str, str]]] = {}
        self.file = ctx.workdir / f"{self.name}.tar"
        reasons: dict[str, str] = {}
        starts: dict[str, Callable[[], Any]] = {"berth": ctx.berthd, "docker": ctx.dockerd,
                                                "podman": ctx.podman}
        for engine, start in starts.items():
            try:
                handle = start()
            except Unavailable as e:
                reasons[engine] = str(e)
                continue
            if why := ctx.image_reason(type(handle).__name__.lower(), self.ref):
                reasons[engine] = why
            self.clis[engine] = (handle.cli, handle.env)
        return reasons

    def measure(self, engine: str) -> Sample:
        cli, env = self.clis[engine]
        try:
            save = timed(cli("save", "-o", str(self.file), self.ref), env=env)
            run(cli("rmi", self.ref), env=env)
            load = timed(cli("load", "-i", str(self.file)), env=env)
        finally:
            self.file.unlink(missing_ok=True)
        return {"save": save, "load": load, "total": save + load}


class SaveLoadBusybox(_SaveLoad):
    """The busybox image (one small layer)."""

    name = "image_save_load_busybox"
    title = "save + load the busybox image"
    ref = images.BUSYBOX_REF
    repeat = 8
    quick_repeat = 3


class SaveLoadDebian(_SaveLoad):
    """The Debian minbase image (one ~200 MB layer): dominated by layer I/O."""

    name = "image_save_load_debian"
    title = "save + load the Debian minbase image"
    ref = images.DEBIAN_REF
    repeat = 4
    quick_repeat = 2
    in_quick = False


ROWS = [SaveLoadBusybox, SaveLoadDebian]
