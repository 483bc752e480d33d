"""Low-level runtime ``run`` of one busybox bundle running /bin/true: berth-runtime, runc, crun.

crun refuses this host's hybrid cgroup mode ("drop all controllers from cgroupv2": the cgroup2
mount at /sys/fs/cgroup/unified holds hugetlb) and ``--cgroup-manager=disabled`` does not skip
the check. Workaround: a persistent private mount namespace (``unshare --mount=FILE``) where that
cgroup2 mount is unmounted; crun runs through ``nsenter --mount=FILE``, so it sees a plain v1
host and does the same v1 cgroup work as runc (less hugetlb). Its figure includes the nsenter
exec (about 1 ms); the host is unchanged.
"""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
from pathlib import Path
from typing import ClassVar

from bench.context import Context
from bench.core import Row
from bench.engines.berthd import BIN, missing_module
from bench.images import busybox_rootfs
from bench.proc import run, timed, unmount_all

UNIFIED = "/sys/fs/cgroup/unified"


def make_bundle(bundle: Path, args: list[str]) -> Path:
    """A busybox bundle whose process runs ``args``, config from ``runc spec``."""
    busybox_rootfs(bundle / "rootfs")
    run(["runc", "spec", "--bundle", str(bundle)])
    config = json.loads((bundle / "config.json").read_text())
    config["process"]["args"] = args
    config["process"]["terminal"] = False
    (bundle / "config.json").write_text(json.dumps(config, indent=1))
    return bundle


def hybrid_free_namespace(where: Path) -> Path:
    """A persistent mount namespace without the cgroup2 mount; returns its ns file."""
    where.mkdir(parents=True, exist_ok=True)
    run(["mount", "--bind", str(where), str(where)])
    run(["mount", "--make-private", str(where)])
    ns = where / "mnt"
    ns.touch()
    umount = f"umount {UNIFIED} 2>/dev/null; true"
    run(["unshare", f"--mount={ns}", "--propagation", "private", "sh", "-c", umount])
    return ns


class RuntimeRunTrue(Row):
    """``<runtime> run`` of a /bin/true bundle, as engines call it."""

    name = "runtime_run_true"
    title = "runtime run of a busybox /bin/true bundle"
    subjects = ("berth-runtime",)
    references = ("runc", "crun")
    repeat = 20
    quick_repeat = 5
    order = 10
    target: ClassVar[str] = "berth-runtime faster than runc (issue 3)"
    notes = "crun runs via nsenter into a mount ns without the cgroup2 mount (hybrid-mode refusal)"

    def setup(self, ctx: Context) -> dict[str, str]:
        self.dir = ctx.workdir / "runtime"
        self.bundle = make_bundle(self.dir / "bundle", ["/bin/true"])
        self.ids = itertools.count()
        reasons: dict[str, str] = {}
        self.cmd: dict[str, list[str]] = {}
        for engine in ("runc", "crun"):
            if not shutil.which(engine):
                reasons[engine] = f"{engine}: not installed"
        why = missing_module("berth.runtime.__main__")
        if why or not (BIN / "berth-runtime").exists():
            reasons["berth-runtime"] = why or "berth: berth-runtime not installed"
        self.cmd["berth-runtime"] = [str(BIN / "berth-runtime")]
        self.cmd["runc"] = ["runc"]
        self.cmd["crun"] = ["crun"]
        if "crun" not in reasons and Path(UNIFIED).exists():
            ns = hybrid_free_namespace(self.dir / "ns")
            self.cmd["crun"] = ["nsenter", f"--mount={ns}", "crun"]
        return reasons

    def measure(self, engine: str) -> float:
        cid = f"berth-bench-{engine}-{next(self.ids)}"
        cmd = [*self.cmd[engine], "--root", str(self.dir / "state" / engine), "run",
               "--bundle", str(self.bundle), cid]
        try:
            return timed(cmd, timeout=60)
        except Exception:
            subprocess.run([*self.cmd[engine], "--root", str(self.dir / "state" / engine),
                            "delete", "--force", cid], capture_output=True, check=False)
            raise

    def teardown(self) -> None:
        if hasattr(self, "dir"):
            unmount_all(self.dir)


ROWS = [RuntimeRunTrue]
