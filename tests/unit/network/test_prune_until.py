"""Network prune's filters as docker parses them: ``until`` as a timestamp or a Go
duration, ``label``/``label!``, unknown filters refused."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from berth import errdefs
from berth.network import NetworkConfig, NetworkService


@pytest.fixture
def svc(tmp_path: Path) -> Any:
    s = NetworkService(tmp_path / "d", tmp_path / "e", NetworkConfig(nft="/bin/true"))
    # records only: no bridge is made for networks nobody joins in this test
    s.ensure_ready = lambda net: False  # type: ignore[method-assign]
    yield s
    s.close()


def test_until_and_labels(svc: Any) -> None:
    svc.create_network({"Name": "old", "Labels": {"keep": "no"}})
    svc.create_network({"Name": "kept", "Labels": {"keep": "yes"}})
    assert svc.prune_networks({"until": ["24h"]}) == []
    assert svc.prune_networks({"until": [str(int(time.time()) - 3600)]}) == []
    assert svc.prune_networks({"label!": ["keep=yes"], "until": ["0s"]}) == ["old"]
    assert svc.prune_networks({"until": ["2999-01-01T00:00:00Z"]}) == ["kept"]


def test_bad_filters(svc: Any) -> None:
    with pytest.raises(errdefs.InvalidArgument, match="invalid filter 'dangling'"):
        svc.prune_networks({"dangling": ["true"]})
    with pytest.raises(errdefs.InvalidArgument, match="more than one until filter"):
        svc.prune_networks({"until": ["1h", "2h"]})
    with pytest.raises(errdefs.InvalidArgument):
        svc.prune_networks({"until": ["yesterday"]})
