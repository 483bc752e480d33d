"""Unpack the Debian minbase layer: ``berth.archive.apply_layer`` against GNU ``tar -xzf``.

Both extract the same .tar.gz into a fresh directory on the same disk, which is then deleted
(``rm -rf`` + ``sync``, untimed) before the next turn: file creation right after a mass delete
is slow on these disks and gets slower run after run, so the engines alternate under exactly
the same create/delete pattern. apply_layer runs in this (warm) process, as it does in berthd;
tar's figure includes its fork+exec (about 1 ms of several hundred).
"""

from __future__ import annotations

import importlib
import itertools
import subprocess
import time
from pathlib import Path
from typing import Any

from bench.context import Context
from bench.core import Row
from bench.engines.berthd import missing_module
from bench.proc import timed


def find_apply_layer() -> Any:
    """``berth.archive.apply_layer`` (or its home module while the package grows), or None."""
    for module in ("berth.archive", "berth.archive.apply"):
        if missing_module(module):
            continue
        found = getattr(importlib.import_module(module), "apply_layer", None)
        if found:
            return found
    return None


def _fresh(base: Path, n: int) -> Path:
    target = base / f"t{n}"
    target.mkdir(parents=True)
    return target


def _wipe(target: Path) -> None:
    subprocess.run(["rm", "-rf", "--one-file-system", str(target)], check=False)
    subprocess.run(["sync"], check=False)


class LayerUnpack(Row):
    """Extract the Debian minbase rootfs layer into a fresh directory."""

    name = "layer_unpack"
    title = "unpack the Debian minbase layer (.tar.gz) into a fresh dir"
    subjects = ("berth",)
    references = ("tar",)
    repeat = 8
    quick_repeat = 2
    warmup = 0  # each turn costs seconds; setup reads the tarball into the page cache instead
    order = 20
    target = "berth <= 1.2x tar (issue 2)"

    def setup(self, ctx: Context) -> dict[str, str]:
        self.layer = ctx.debian_tar()
        with self.layer.open("rb") as f:  # page cache warm for whichever engine goes first
            while f.read(1 << 20):
                pass
        self.base = ctx.workdir / "unpack"
        self.base.mkdir(parents=True, exist_ok=True)
        self.n = itertools.count()
        self.apply: Any = None
        self.apply = find_apply_layer()
        return {} if self.apply else {"berth": "berth: not yet implemented (apply_layer)"}

    def measure(self, engine: str) -> float:
        target = _fresh(self.base, next(self.n))
        try:
            if engine == "tar":
                return timed(["tar", "-xzf", str(self.layer), "-C", str(target)])
            with self.layer.open("rb") as stream:
                t0 = time.perf_counter()
                self.apply(stream, target, whiteouts="overlay")
                return (time.perf_counter() - t0) * 1000
        finally:
            _wipe(target)

    def teardown(self) -> None:
        if hasattr(self, "base"):
            _wipe(self.base)


ROWS = [LayerUnpack]
