"""Rows on the default bridge: ``run_rm_bridge``, ``bridge_overhead`` and ``published_port``.

``run_rm_bridge`` is ``run_rm_true`` without ``--network none``: the difference between the
two is what a container's network (namespace, veth, address, NAT rules) costs per run.
docker runs on a second private dockerd bridged on the bench's own ``berthbench0`` (not
``docker0``, which any ``--bridge none`` dockerd deletes as it starts; see engines/bridge.py),
its iptables tables restored after.

``published_port`` serves a small file with busybox ``httpd`` in a container and drives it
with ``wrk`` (Debian's, installed by ``--install``) for 3 s: once through a port published
on 127.0.0.1, once at the container's own bridge address. Parts are requests/s; the
``published/direct`` part is the fraction of direct throughput the published path keeps
(berth DNATs in the kernel; docker 20.10 runs docker-proxy for loopback).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
import urllib.request
from typing import Any

from bench.clis import Cli, clis
from bench.context import Context
from bench.core import Row, Sample, Unavailable
from bench.proc import run, timed

HTTPD = ("mkdir -p /www && echo hello > /www/index.html && exec httpd -f -p 80 -h /www")
_RPS = re.compile(r"Requests/sec:\s+([0-9.]+)")


def _bridge_clis(ctx: Context, engines: tuple[str, ...]) -> tuple[dict[str, Cli], dict[str, str]]:
    """Like ``clis`` but docker is the bridged dockerd."""
    got, reasons = clis(ctx, [e for e in engines if e != "docker"])
    if "docker" in engines:
        try:
            e = ctx.dockerd_net()
            got["docker"] = Cli(tuple(e.cli()), e.env, daemon=e)
        except Unavailable as exc:
            reasons["docker"] = str(exc)
    return got, reasons


class RunRmBridge(Row):
    """One short-lived container on the default bridge, create to removal."""

    name = "run_rm_bridge"
    title = "run --rm busybox true (default bridge)"
    subjects = ("berth", "docker@berthd")
    references = ("docker", "podman")
    repeat = 10
    quick_repeat = 3
    order = 31
    notes = "as run_rm_true, on the default network; docker = a dockerd with its bridge"

    def setup(self, ctx: Context) -> dict[str, str]:
        self.clis: dict[str, Cli]
        self.clis, reasons = _bridge_clis(ctx, self.engines)
        return reasons

    def measure(self, engine: str) -> float:
        c = self.clis[engine]
        return timed(c.create_argv("run", "--rm", "busybox", "true"), env=c.env, timeout=120)


class BridgeOverhead(Row):
    """What the default bridge adds to a run: ``--network none`` and the default network
    timed back to back in each sample (order alternating), so both see the same load."""

    name = "bridge_overhead"
    title = "run --rm busybox true: default bridge minus --network none"
    subjects = ("berth",)
    references = ("docker",)
    repeat = 20
    quick_repeat = 4
    order = 32
    target = "bridge adds <= 10 ms over none (issue 5)"
    notes = "parts in ms: none, bridge, and bridge-none per sample (medians of each)"

    def setup(self, ctx: Context) -> dict[str, str]:
        self.clis: dict[str, Cli]
        self.clis, reasons = _bridge_clis(ctx, self.engines)
        self._flip = False
        return reasons

    def measure(self, engine: str) -> Sample:
        c = self.clis[engine]
        runs = {"none": ("--network", "none"), "bridge": ()}
        order = ["bridge", "none"] if self._flip else ["none", "bridge"]
        self._flip = not self._flip
        got = {k: timed(c.create_argv("run", "--rm", *runs[k], "busybox", "true"), env=c.env,
                        timeout=120) for k in order}
        return {"none": got["none"], "bridge": got["bridge"],
                "bridge-none": got["bridge"] - got["none"]}


class PublishedPort(Row):
    """HTTP throughput through a published port and at the container's address."""

    name = "published_port"
    unit = "req/s"
    title = "wrk -> busybox httpd: published 127.0.0.1 port vs container address (req/s)"
    subjects = ("berth",)
    references = ("docker",)
    repeat = 5
    quick_repeat = 1
    order = 80
    notes = "wrk -t1 -c8 -d3s; higher is better; published/direct = share kept by the port"

    def setup(self, ctx: Context) -> dict[str, str]:
        if not shutil.which("wrk"):
            raise Unavailable("wrk: not installed (run with --install)")
        self.clis: dict[str, Cli]
        self.clis, reasons = _bridge_clis(ctx, self.engines)
        self.urls: dict[str, tuple[str, str]] = {}
        for engine, c in list(self.clis.items()):
            try:
                self.urls[engine] = self._serve(c)
            except Exception as exc:  # one engine failing must not hide the other
                reasons[engine] = f"httpd container: {exc}"
                del self.clis[engine]
        return reasons

    def _serve(self, c: Cli) -> tuple[str, str]:
        run(c.create_argv("run", "-d", "--name", "bench-httpd", "-p", "127.0.0.1::80",
                          "busybox", "sh", "-c", HTTPD), env=c.env, timeout=120)
        port = run(c.argv("port", "bench-httpd", "80"), env=c.env).stdout.split(
            "\n")[0].rsplit(":", 1)[1]
        ip = run(c.argv("inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}"
                        "{{end}}", "bench-httpd"), env=c.env).stdout.strip()
        urls = (f"http://127.0.0.1:{port}/", f"http://{ip}/")
        for url in urls:
            _wait_http(url)
        return urls

    def measure(self, engine: str) -> Sample:
        published, direct = (_wrk(u) for u in self.urls[engine])
        return {"published": published, "direct": direct,
                "published/direct": published / direct if direct else 0.0}

    def teardown(self) -> None:
        for c in getattr(self, "clis", {}).values():
            subprocess.run(c.rm_argv("bench-httpd"), env=c.env, capture_output=True,
                           timeout=60, check=False)


def _wait_http(url: str, deadline: float = 20.0) -> None:
    end = time.monotonic() + deadline
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            if time.monotonic() > end:
                raise
        time.sleep(0.05)


def _wrk(url: str) -> float:
    out = run(["wrk", "-t1", "-c8", "-d3s", url], timeout=60).stdout
    m = _RPS.search(out)
    if not m:
        raise RuntimeError(f"wrk printed no Requests/sec: {out[-200:]}")
    return float(m.group(1))


ROWS: list[Any] = [RunRmBridge, BridgeOverhead, PublishedPort]
