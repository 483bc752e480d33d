"""Engine API create + start + wait + remove of ``busybox true``, from a warm client, beside the
low-level runtimes running one bundle.

- ``berthd-api`` / ``dockerd-api``: this (warm) bench process, one kept-alive raw HTTP connection
  on the daemon's unix socket, four calls per container (``NetworkMode: none``); no CLI start-up.
- ``berth-runtime`` / ``crun``: ``<runtime> run`` of a busybox /bin/true bundle, a fresh process
  each time (crun through nsenter into a mount ns without the cgroup2 mount; see
  runtime_run_true).
- ``run_in_process``: ``berth.runtime.run_in_process(root, new cid, bundle)`` called by a warm,
  single-threaded helper process (bench/warm_runtime.py); the figure is the round trip from this
  process (a line on a pipe each way, ~0.1 ms).
"""

from __future__ import annotations

import itertools
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import ClassVar

from bench.api import Api
from bench.context import Context
from bench.core import Row, Unavailable
from bench.engines.berthd import BIN, missing_module
from bench.proc import stop, timed, unmount_all
from bench.rows.runtime_run_true import UNIFIED, hybrid_free_namespace, make_bundle

HELPER = Path(__file__).resolve().parent.parent / "warm_runtime.py"


class ApiLifecycle(Row):
    """One container's whole life through the API, against runtimes running a bundle."""

    name = "api_lifecycle"
    title = "API create+start+wait+remove of true (warm client) vs runtime run of a bundle"
    subjects = ("berthd-api", "run_in_process", "berth-runtime")
    references = ("crun", "dockerd-api")
    repeat = 15
    quick_repeat = 4
    order = 35
    target: ClassVar[str] = "berthd-api <= 2x crun run (issue 4)"
    notes = ("API: raw HTTP/1.1 on the unix socket, one warm connection, NetworkMode none; "
             "runtimes: a busybox /bin/true bundle from runc spec, new container id each time")

    def setup(self, ctx: Context) -> dict[str, str]:
        self.dir = ctx.workdir / "api"
        self.ids = itertools.count()
        self.apis: dict[str, Api] = {}
        self.helper: subprocess.Popen[str] | None = None
        reasons: dict[str, str] = {}
        for engine, start in (("berthd-api", ctx.berthd), ("dockerd-api", ctx.dockerd)):
            try:
                self.apis[engine] = Api(start().sock)
            except Unavailable as e:
                reasons[engine] = str(e)
        self.bundle = make_bundle(self.dir / "bundle", ["/bin/true"])
        self.cmd: dict[str, list[str]] = {"berth-runtime": [str(BIN / "berth-runtime")],
                                          "crun": ["crun"]}
        if not shutil.which("crun"):
            reasons["crun"] = "crun: not installed"
        elif Path(UNIFIED).exists():
            ns = hybrid_free_namespace(self.dir / "ns")
            self.cmd["crun"] = ["nsenter", f"--mount={ns}", "crun"]
        why = missing_module("berth.runtime.__main__")
        if why or not (BIN / "berth-runtime").exists():
            reasons["berth-runtime"] = why or "berth: berth-runtime not installed"
        if why := missing_module("berth.runtime.run"):
            reasons["run_in_process"] = why
        else:
            self.helper = subprocess.Popen(
                [sys.executable, str(HELPER), str(self.dir / "state" / "inproc"),
                 str(self.bundle)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                bufsize=1)
        return reasons

    def _in_process(self, cid: str) -> float:
        assert self.helper and self.helper.stdin and self.helper.stdout
        t0 = time.perf_counter()
        self.helper.stdin.write(cid + "\n")
        self.helper.stdin.flush()
        answer = self.helper.stdout.readline()
        ms = (time.perf_counter() - t0) * 1000
        if not answer:
            raise RuntimeError(f"warm runtime helper exited ({self.helper.poll()})")
        if not answer.startswith("ok 0"):
            raise RuntimeError(f"run_in_process: {answer.strip()}")
        return ms

    def measure(self, engine: str) -> float:
        if engine in self.apis:
            t0 = time.perf_counter()
            code = self.apis[engine].run_true()
            ms = (time.perf_counter() - t0) * 1000
            if code != 0:
                raise RuntimeError(f"{engine}: true exited {code}")
            return ms
        cid = f"berth-bench-api-{engine.replace('_', '-')}-{next(self.ids)}"
        if engine == "run_in_process":
            return self._in_process(cid)
        root = str(self.dir / "state" / engine)
        try:
            return timed([*self.cmd[engine], "--root", root, "run", "--bundle",
                          str(self.bundle), cid], timeout=60)
        except Exception:
            subprocess.run([*self.cmd[engine], "--root", root, "delete", "--force", cid],
                           capture_output=True, check=False)
            raise

    def teardown(self) -> None:
        for api in getattr(self, "apis", {}).values():
            api.close()
        helper = getattr(self, "helper", None)
        if helper:
            if helper.stdin:
                helper.stdin.close()
            try:
                helper.wait(10)
            except subprocess.TimeoutExpired:
                stop(helper)
        if hasattr(self, "dir"):
            unmount_all(self.dir)


ROWS = [ApiLifecycle]
