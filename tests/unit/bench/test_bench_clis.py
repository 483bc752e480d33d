"""Engine command lines for the CLI rows, container names, per-container process discovery."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from bench.clis import clis
from bench.core import Unavailable
from bench.rows.container_lifecycle import container_name
from bench.rows.memory_per_container import per_container


class FakeEngine:
    def __init__(self, name: str) -> None:
        self.name, self.sock, self.env = name, Path(f"/x/{name}.sock"), {"E": name}

    def cli(self, *args: str) -> list[str]:
        return [self.name, *args]

    def run_args(self) -> list[str]:
        return ["--ulimit", "nofile=1:1"]


class FakeCtx:
    def __init__(self, broken: str = "") -> None:
        self.broken = broken

    def _get(self, name: str) -> Any:
        if name == self.broken:
            raise Unavailable(f"{name}: not installed")
        return FakeEngine(name)

    def dockerd(self) -> Any:
        return self._get("docker")

    def berthd(self) -> Any:
        return self._get("berth")

    def podman(self) -> Any:
        return self._get("podman")


def test_clis_build_command_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bench.clis.shutil.which", lambda _: "/usr/bin/docker")
    got, reasons = clis(FakeCtx(), ["berth", "docker@berthd", "docker", "podman"])
    assert reasons == {}
    assert got["berth"].argv("ps") == ["berth", "ps"]
    assert got["docker@berthd"].argv("ps") == ["/usr/bin/docker", "-H", "unix:///x/berth.sock",
                                                "ps"]
    assert got["docker@berthd"].env == {"E": "berth"}
    assert got["podman"].create_argv("run", "busybox") == [
        "podman", "run", "--ulimit", "nofile=1:1", "busybox"]
    assert got["docker"].create_argv("run", "busybox") == ["docker", "run", "busybox"]
    assert got["podman"].rm_argv("a") == ["podman", "rm", "-f", "-t", "0", "a"]
    assert got["docker"].rm_argv("a", "b") == ["docker", "rm", "-f", "a", "b"]


def test_clis_reasons_and_unknown() -> None:
    got, reasons = clis(FakeCtx(broken="berth"), ["berth", "docker@berthd", "docker"])
    assert set(got) == {"docker"}
    assert reasons == {"berth": "berth: not installed", "docker@berthd": "berth: not installed"}
    with pytest.raises(ValueError):
        clis(FakeCtx(), ["nerdctl"])


def test_container_name_is_valid_for_every_engine() -> None:
    assert container_name("docker@berthd", "sleep", 3) == "bench-docker-berthd-sleep-3"


def test_per_container_takes_parents_of_inits_and_their_host_children() -> None:
    parents = {100: 10, 101: 11, 102: 1, 103: 5}  # 102: reparented to init; 103: daemon's child
    kids = {10: [100, 20], 11: [101]}  # 20: a helper of monitor 10 in the host pid ns
    ns = {"self": "host", 10: "host", 11: "host", 20: "host", 100: "c1", 101: "c2"}
    found = per_container([100, 101, 102, 103], daemon={5}, parent=parents.__getitem__,
                          below=lambda p: kids.get(p, []), ns=lambda p: ns.get(p, "?"))
    assert found == {10, 11, 20}
