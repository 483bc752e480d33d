"""Legacy --link with the real docker CLI: on the default bridge the hosts line and the
environment docker injects, docker's errors for a stopped or unknown target; on a user
network the link is a name only the linking container resolves. And `network
disconnect` of the network holding the default route moves the route."""

from __future__ import annotations

import json
import os
import shutil
from typing import Any

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.root,
              pytest.mark.skipif(os.geteuid() != 0, reason="containers need root"),
              pytest.mark.skipif(shutil.which("docker") is None, reason="no docker CLI"),
              pytest.mark.usefixtures("clean_containers")]  # `d`: tests/e2e/conftest.py


def test_link_on_the_default_bridge(d: Any) -> None:
    d.docker("run", "-d", "--name", "lnk-db", "--hostname", "dbhost", "-e", "PW=secret",
             "--expose", "5432", "busybox", "sleep", "300")
    ip = d.docker("inspect", "-f", "{{.NetworkSettings.IPAddress}}", "lnk-db").stdout.strip()
    out = d.docker("run", "--name", "lnk-app", "--link", "lnk-db:db", "-e", "DB_ENV_PW=mine",
                   "busybox", "sh", "-c", "env; cat /etc/hosts; ping -c1 -W2 db").stdout
    env = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    assert env["DB_PORT"] == f"tcp://{ip}:5432"
    assert env["DB_PORT_5432_TCP"] == f"tcp://{ip}:5432"
    assert env["DB_PORT_5432_TCP_ADDR"] == ip and env["DB_PORT_5432_TCP_PORT"] == "5432"
    assert env["DB_PORT_5432_TCP_PROTO"] == "tcp" and env["DB_NAME"] == "/lnk-app/db"
    assert env["DB_ENV_PW"] == "mine"  # the container's own -e wins, as docker's
    assert f"{ip}\tdb dbhost lnk-db\n" in out and "1 packets received" in out
    info = json.loads(d.docker("inspect", "lnk-app").stdout)[0]
    assert info["HostConfig"]["Links"] == ["/lnk-db:/lnk-app/db"]


def test_link_errors(d: Any) -> None:
    res = d.docker("run", "--rm", "--link", "lnk-nope:x", "busybox", "true", check=False)
    assert res.returncode != 0
    assert "could not get container for lnk-nope" in res.stderr
    d.docker("create", "--name", "lnk-stopped", "busybox", "true")
    res = d.docker("run", "--rm", "--name", "lnk-c", "--link", "lnk-stopped:s", "busybox",
                   "true", check=False)
    assert "Cannot link to a non running container: /lnk-stopped AS /lnk-c/s" in res.stderr
    res = d.docker("run", "--rm", "--network", "host", "--link", "lnk-stopped:s", "busybox",
                   "true", check=False)
    assert "host type networking can't be used with links" in res.stderr


def test_link_on_a_user_network_is_a_local_name(d: Any, nets: list[str]) -> None:
    d.docker("network", "create", "lnknet")
    nets.append("lnknet")
    # the target does not exist yet: on user networks that is fine, as docker
    d.docker("run", "-d", "--name", "lnk-u1", "--network", "lnknet", "--link",
             "lnk-u2:peer", "busybox", "sleep", "300")
    d.docker("run", "-d", "--name", "lnk-u2", "--network", "lnknet", "busybox",
             "sleep", "300")
    ip = d.docker("inspect", "-f", '{{(index .NetworkSettings.Networks "lnknet").IPAddress}}',
                  "lnk-u2").stdout.strip()
    out = d.docker("exec", "lnk-u1", "nslookup", "peer").stdout
    assert ip in out
    other = d.docker("run", "--rm", "--network", "lnknet", "--dns", "127.0.0.1", "busybox",
                     "nslookup", "peer", check=False)
    assert ip not in other.stdout  # nobody else knows the alias
    info = json.loads(d.docker("inspect", "lnk-u1").stdout)[0]
    assert info["HostConfig"]["Links"] is None
    assert info["NetworkSettings"]["Networks"]["lnknet"]["Links"] == ["lnk-u2:peer"]


def test_disconnect_moves_the_default_route(d: Any, nets: list[str]) -> None:
    d.docker("network", "create", "--subnet", "10.231.1.0/24", "rtnet1")
    d.docker("network", "create", "--subnet", "10.231.2.0/24", "rtnet2")
    nets += ["rtnet1", "rtnet2"]
    d.docker("run", "-d", "--name", "lnk-rt", "--network", "rtnet1", "busybox",
             "sleep", "300")
    d.docker("network", "connect", "rtnet2", "lnk-rt")
    assert "via 10.231.1.1" in d.docker("exec", "lnk-rt", "ip", "route").stdout
    d.docker("network", "disconnect", "rtnet1", "lnk-rt")
    routes = d.docker("exec", "lnk-rt", "ip", "route").stdout
    assert "default via 10.231.2.1" in routes, routes
