"""Legacy --link: docker's environment variables, its parsing of link specs, and the
create-time rules (default bridge vs user networks)."""

from __future__ import annotations

from typing import Any

import pytest

from berth import errdefs
from berth.containers import netlinks


def test_env_vars_ports_ranges_name_and_child_env() -> None:
    env = netlinks.env_vars("/me/db-1", "172.17.0.5",
                            ["PATH=/bin", "HOME=/root", "PW=x=y", "EMPTY="],
                            {"5432/tcp": {}, "53/udp": {}, "8000/tcp": {}, "8001/tcp": {}})
    assert env == [
        "DB_1_PORT=tcp://172.17.0.5:5432",
        "DB_1_PORT_5432_TCP=tcp://172.17.0.5:5432", "DB_1_PORT_5432_TCP_ADDR=172.17.0.5",
        "DB_1_PORT_5432_TCP_PORT=5432", "DB_1_PORT_5432_TCP_PROTO=tcp",
        "DB_1_PORT_8000_TCP=tcp://172.17.0.5:8000", "DB_1_PORT_8000_TCP_ADDR=172.17.0.5",
        "DB_1_PORT_8000_TCP_PORT=8000", "DB_1_PORT_8000_TCP_PROTO=tcp",
        "DB_1_PORT_8001_TCP=tcp://172.17.0.5:8001", "DB_1_PORT_8001_TCP_ADDR=172.17.0.5",
        "DB_1_PORT_8001_TCP_PORT=8001", "DB_1_PORT_8001_TCP_PROTO=tcp",
        # a range is closed by the first port after it (moby's order)
        "DB_1_PORT_53_UDP=udp://172.17.0.5:53", "DB_1_PORT_53_UDP_ADDR=172.17.0.5",
        "DB_1_PORT_53_UDP_PORT=53", "DB_1_PORT_53_UDP_PROTO=udp",
        "DB_1_PORT_8000_TCP_START=tcp://172.17.0.5:8000", "DB_1_PORT_8000_TCP_PORT_START=8000",
        "DB_1_PORT_8000_TCP_END=tcp://172.17.0.5:8001", "DB_1_PORT_8000_TCP_PORT_END=8001",
        "DB_1_NAME=/me/db-1", "DB_1_ENV_PW=x=y", "DB_1_ENV_EMPTY="]


def test_env_vars_without_ports() -> None:
    assert netlinks.env_vars("/a/b", "10.0.0.2", [], {}) == ["B_NAME=/a/b"]


@pytest.mark.parametrize(("spec", "want"), [
    ("web", ("web", "web")), ("web:w", ("web", "w")), ("/web:/me/w", ("web", "w"))])
def test_parse(spec: str, want: tuple[str, str]) -> None:
    assert netlinks.parse(spec) == want


def test_parse_errors() -> None:
    with pytest.raises(errdefs.InvalidArgument, match="bad format for links: a:b:c"):
        netlinks.parse("a:b:c")


def rec(mode: str, links: list[str]) -> dict[str, Any]:
    return {"Name": "/me", "ID": "m" * 64, "HostConfig": {"NetworkMode": mode, "Links": links}}


def lookup(ref: str) -> dict[str, Any]:
    table = {"db": {"ID": "d" * 64, "Name": "/db", "HostConfig": {"NetworkMode": "bridge"}},
             "h": {"ID": "h" * 64, "Name": "/h", "HostConfig": {"NetworkMode": "host"}}}
    if ref not in table:
        raise errdefs.NotFound(f"No such container: {ref}")
    return table[ref]


def test_check_default_bridge_stores_inspect_form() -> None:
    r = rec("bridge", ["db:data", "db"])
    netlinks.check(r, "bridge", lookup, {})
    assert r["HostConfig"]["Links"] == ["/db:/me/data", "/db:/me/db"]
    with pytest.raises(errdefs.InvalidArgument,
                       match="could not get container for nope: No such container: nope"):
        netlinks.check(rec("bridge", ["nope:x"]), "bridge", lookup, {})
    with pytest.raises(errdefs.InvalidArgument, match="host type networking can't be used"):
        netlinks.check(rec("bridge", ["h:x"]), "bridge", lookup, {})
    with pytest.raises(errdefs.InvalidArgument, match="host type networking can't be used"):
        netlinks.check(rec("host", ["db:x"]), "host", lookup, {})


def test_check_user_network_moves_links_to_the_endpoint() -> None:
    r = rec("mynet", ["later:web"])  # the target may not exist yet
    eps: dict[str, Any] = {"mynet": {}}
    netlinks.check(r, "mynet", lookup, eps)
    assert eps["mynet"]["Links"] == ["later:web"] and r["HostConfig"]["Links"] is None
