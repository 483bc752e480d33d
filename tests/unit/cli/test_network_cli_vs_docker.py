"""``network …`` through berth and the real docker CLI against one fake-backed API app.

The app is berth's own (``make_app`` + the ``/networks`` routes) over an in-memory
network backend, so this checks the CLI output and the routes together: stdout, stderr
and the exit status must be docker's, with "docker" read as "berth".
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from berth import errdefs
from berth.api import Backends, make_app

DOCKER = shutil.which("docker")
pytestmark = pytest.mark.skipif(DOCKER is None, reason="the docker CLI is not installed")


def _net(name: str, nid: str, driver: str, **kw: Any) -> dict[str, Any]:
    return {"Name": name, "Id": nid, "Created": "2025-01-02T03:04:05.123456789Z",
            "Scope": "local", "Driver": driver, "EnableIPv4": True, "EnableIPv6": False,
            "IPAM": {"Driver": "default", "Options": None,
                     "Config": kw.pop("config", [])},
            "Internal": False, "Attachable": False, "Ingress": False,
            "ConfigFrom": {"Network": ""}, "ConfigOnly": False, "Containers": {},
            "Options": {}, "Labels": kw.pop("labels", {}), **kw}


class Networks:
    """A stateful stand-in for NetworkService + ContainerNetworks."""

    def __init__(self) -> None:
        self.nets = [
            _net("bridge", "b" * 64, "bridge",
                 config=[{"Subnet": "172.17.0.0/16", "Gateway": "172.17.0.1"}]),
            _net("host", "1" * 64, "host"), _net("none", "0" * 64, "null"),
            _net("net10", "a10" + "0" * 61, "bridge", labels={"team": "a"}),
            _net("net9", "a9" + "0" * 62, "bridge"),
            _net("busy", "c" * 64, "bridge"),
        ]

    def _find(self, ref: str) -> dict[str, Any]:
        for n in self.nets:
            if ref in (n["Name"], n["Id"]) or n["Id"].startswith(ref):
                return n
        raise errdefs.NotFound(f"network {ref} not found")

    def list_networks(self, filters: dict[str, list[str]]) -> list[dict[str, Any]]:
        out = self.nets
        if filters.get("name"):
            out = [n for n in out if any(x in n["Name"] for x in filters["name"])]
        if filters.get("driver"):
            out = [n for n in out if n["Driver"] in filters["driver"]]
        return [dict(n, Containers={}) for n in out]

    def inspect_network(self, ref: str, verbose: bool = False) -> dict[str, Any]:
        return self._find(ref)

    def create_network(self, body: dict[str, Any]) -> dict[str, Any]:
        self.nets.append(_net(body["Name"], "e" * 64, body.get("Driver") or "bridge"))
        return {"Id": "e" * 64, "Warning": ""}

    def remove_network(self, ref: str) -> None:
        n = self._find(ref)
        if n["Name"] == "busy":
            raise errdefs.Conflict(f"error while removing network: network busy id {n['Id']} "
                                   "has active endpoints")
        if n["Name"] in ("bridge", "host", "none"):
            raise errdefs.PermissionDenied(f"{n['Name']} is a pre-defined network and cannot "
                                           "be removed")
        self.nets.remove(n)

    def prune_networks(self, filters: dict[str, list[str]]) -> list[str]:
        return ["net10", "net9"]

    def connect(self, net: str, ctr: str, cfg: dict[str, Any]) -> None:
        self._find(net)
        if ctr != "c1":
            raise errdefs.NotFound(f"No such container: {ctr}")

    def disconnect(self, net: str, ctr: str, force: bool) -> None:
        self.connect(net, ctr, {})


class _System:
    def version(self) -> dict[str, Any]:
        return {"ApiVersion": "1.44", "MinAPIVersion": "1.24"}

    def info(self) -> dict[str, Any]:
        return {}


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Any]:
    """Start a fresh app on a unix socket per call; all stop at teardown."""
    loops: list[tuple[asyncio.AbstractEventLoop, web.AppRunner, threading.Thread]] = []

    def start(name: str) -> str:
        sock = str(tmp_path / f"{name}.sock")
        fake = Networks()
        app = make_app(Backends(system=_System(), images=None, events=None,  # type: ignore[arg-type]
                                networks=fake, netattach=fake))
        loop = asyncio.new_event_loop()
        runner = web.AppRunner(app)
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.UnixSite(runner, sock).start())
        t = threading.Thread(target=loop.run_forever, daemon=True)
        t.start()
        loops.append((loop, runner, t))
        return sock

    yield start
    for loop, runner, t in loops:
        loop.call_soon_threadsafe(loop.stop)
        t.join(5)
        loop.run_until_complete(runner.cleanup())
        loop.close()


def _run(argv: list[str], sock: str, tmp: Path, args: list[str],
         stdin: bytes | None) -> tuple[str, str, int]:
    env = {k: v for k, v in os.environ.items() if k not in ("DOCKER_HOST", "BERTH_HOST")}
    env.update(DOCKER_CONFIG=str(tmp / "dockercfg"), TZ="UTC")
    proc = subprocess.run([*argv, "-H", f"unix://{sock}", *args], input=stdin, env=env,
                          capture_output=True, timeout=30, cwd=tmp)
    return proc.stdout.decode(), proc.stderr.decode(), proc.returncode


def compare(serve: Any, tmp: Path, args: list[str], stdin: bytes | None = None) -> None:
    assert DOCKER is not None
    want = _run([DOCKER], serve("d"), tmp, args, stdin)
    want = (want[0].replace("docker", "berth"), want[1].replace("docker", "berth"), want[2])
    got = _run([sys.executable, "-m", "berth.cli.main"], serve("b"), tmp, args, stdin)
    assert got == want


CASES = [
    ["network", "ls"], ["network", "ls", "--no-trunc"], ["network", "ls", "-q"],
    ["network", "list", "-f", "driver=bridge"], ["network", "ls", "--filter", "name=net"],
    ["network", "ls", "--format", "{{.Name}} {{.Labels}} {{.IPv4}} {{.IPv6}} {{.Internal}}"],
    ["network", "ls", "--format", "table {{.Name}}\t{{.CreatedAt}}"],
    ["network", "ls", "--format", "json"], ["network", "ls", "--format", "raw"],
    ["network", "ls", "-q", "--format", "{{.Name}}"], ["network", "ls", "-f", "oops"],
    ["network", "ls", "extra"],
    ["network", "inspect", "bridge"], ["network", "inspect", "net9", "net10"],
    ["network", "inspect", "-f", "{{.Name}} {{.IPAM.Config}} {{json .Labels}}", "net10"],
    ["network", "inspect", "-v", "--format", "json", "bridge"],
    ["network", "inspect", "nope"], ["network", "inspect", "nope", "bridge"],
    ["network", "inspect"],
    ["network", "rm", "net9"], ["network", "rm", "net9", "nope", "busy", "net10"],
    ["network", "rm", "-f", "nope"], ["network", "remove", "bridge"], ["network", "rm"],
    ["network", "create", "n2"], ["network", "create", "--subnet", "10.5.0.0/24",
                                  "--gateway", "10.5.0.1", "--label", "a=b", "n3"],
    ["network", "create", "--gateway", "10.0.0.1", "x"],
    ["network", "create", "--subnet", "10.0.0.0/24", "--subnet", "10.0.0.0/16", "x"],
    ["network", "create", "--ip-range", "10.9.0.0/24", "--subnet", "10.0.0.0/24", "x"],
    ["network", "create", "--aux-address", "a=b", "--subnet", "10.0.0.0/24", "x"],
    ["network", "create", "--label", "", "x"], ["network", "create", "net9"],
    ["network", "create", "host"], ["network", "create", "--ipv6=maybe", "x"],
    ["network", "create", "--ipv4=false", "--ipv6", "x"], ["network", "create"],
    ["network", "create", "a", "b"],
    ["network", "connect", "net9", "c1"], ["network", "connect", "net9", "c2"],
    ["network", "connect", "--ip", "10.0.0.5", "--alias", "a,b", "--alias", "c", "net9", "c1"],
    ["network", "connect", "--driver-opt", "kv", "net9", "c1"],
    ["network", "connect", "--link", "a:b:c", "net9", "c1"],
    ["network", "connect", "nope", "c1"], ["network", "connect", "net9"],
    ["network", "disconnect", "net9", "c1"], ["network", "disconnect", "-f", "nope", "c1"],
    ["network", "prune", "-f"], ["network", "prune", "-f", "--filter", "until=1h"],
    ["network", "prune", "x"], ["network", "prune", "--filter", "bad", "-f"],
]


@pytest.mark.parametrize("args", CASES, ids=" ".join)
def test_network_commands_match_docker(serve: Any, tmp_path: Path, args: list[str]) -> None:
    compare(serve, tmp_path, args)


@pytest.mark.parametrize("answer", [b"y\n", b"n\n", b""])
def test_prune_prompt(serve: Any, tmp_path: Path, answer: bytes) -> None:
    compare(serve, tmp_path, ["network", "prune"], stdin=answer)
