"""Fixtures for the network core tests: every test runs its whole stack (bridges,
nftables, sockets) inside a throwaway "host" namespace, so nothing touches the real host;
namespaces made here are deleted even when the test fails."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from berth.network import NetworkConfig, NetworkService, links, netns


@pytest.fixture
def mkns(tmp_path: Path) -> Iterator[Callable[[str], str]]:
    made: list[str] = []

    def make(name: str) -> str:
        path = netns.create(tmp_path / "ns" / name)
        made.append(path)
        links.lo_up(path)
        return path

    try:
        yield make
    finally:
        for p in reversed(made):
            netns.delete(p)


@pytest.fixture
def hostns(mkns: Callable[[str], str]) -> str:
    return mkns("host")


@pytest.fixture
def netcfg(hostns: str) -> NetworkConfig:
    return NetworkConfig(host_netns=hostns, default_subnet="10.76.0.1/24",
                         default_address_pools=[{"base": "10.77.0.0/16", "size": 24}])


@pytest.fixture
def mksvc(tmp_path: Path, netcfg: NetworkConfig) -> Iterator[Callable[[], NetworkService]]:
    """Opens NetworkService instances on the same roots (a restart is a second call);
    sandboxes left by a test are unmounted at the end."""
    made: list[NetworkService] = []
    events: list[tuple[str, str]] = []

    def make() -> NetworkService:
        svc = NetworkService(tmp_path / "data", tmp_path / "exec", netcfg,
                             lambda t, a, i, attrs: events.append((t, a)))
        svc.events = events  # type: ignore[attr-defined]
        made.append(svc)
        return svc

    try:
        yield make
    finally:
        for svc in made:
            svc.close()
        root = tmp_path / "exec" / "netns"
        for f in root.iterdir() if root.exists() else []:
            netns.delete(f)


@pytest.fixture
def svc(mksvc: Callable[[], NetworkService]) -> NetworkService:
    return mksvc()
