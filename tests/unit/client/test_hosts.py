"""Daemon selection and address parsing."""

from __future__ import annotations

import pytest

from berth.client import DEFAULT_HOST, parse_host, resolve_host
from berth.errdefs import InvalidArgument


def test_flag_wins_then_berth_host_then_docker_host() -> None:
    env = {"BERTH_HOST": "unix:///b.sock", "DOCKER_HOST": "unix:///d.sock"}
    assert resolve_host("unix:///f.sock", env) == "unix:///f.sock"
    assert resolve_host(None, env) == "unix:///b.sock"
    assert resolve_host(None, {"DOCKER_HOST": "tcp://h:1"}) == "tcp://h:1"
    assert resolve_host(None, {}) == DEFAULT_HOST == "unix:///run/berth/berth.sock"


def test_parse_unix_and_tcp() -> None:
    assert parse_host("unix:///run/x.sock").path == "/run/x.sock"
    ep = parse_host("tcp://127.0.0.1:2376")
    assert (ep.scheme, ep.host, ep.port) == ("tcp", "127.0.0.1", 2376)
    assert parse_host("tcp://example").port == 2375
    assert str(parse_host("tcp://h:5")) == "tcp://h:5"


@pytest.mark.parametrize("bad", ["foo", "bogus://x", "unix://", "tcp://h:notaport"])
def test_parse_rejects_bad_addresses(bad: str) -> None:
    with pytest.raises(InvalidArgument, match="unable to parse docker host"):
        parse_host(bad)
