"""``network …``, ``port`` and ``ps`` PORTS on a real berthd: berth's CLI beside docker's.

Each deterministic command runs through both CLIs (``d.same``: berth, docker, berth) and
must print the same bytes with the same status, errors included. Reachability: two
containers on one user network ping each other by address; a container on another
network cannot. Subnets are picked in 10.213.0.0/16 (explicit) or left to berthd.
"""

from __future__ import annotations

import os
import shutil
from typing import Any

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.root,
              pytest.mark.skipif(os.geteuid() != 0, reason="networks need root"),
              pytest.mark.skipif(shutil.which("docker") is None, reason="no docker CLI"),
              pytest.mark.usefixtures("clean_containers")]  # `d`: tests/e2e/conftest.py


def ip_on(d: Any, ctr: str, net: str) -> str:
    tmpl = f'{{{{(index .NetworkSettings.Networks "{net}").IPAddress}}}}'
    return str(d.berth("inspect", "-f", tmpl, ctr).stdout.strip())


def test_create_ls_inspect_rm(d: Any, nets: list[str]) -> None:
    nets.append("e2e-n1")
    nid = d.berth("network", "create", "--label", "team=a", "e2e-n1").stdout.strip()
    assert len(nid) == 64
    d.same("network", "ls")
    d.same("network", "ls", "--no-trunc", "-f", "name=e2e-")
    d.same("network", "ls", "-q", "--filter", "driver=bridge")
    d.same("network", "ls", "--format", "{{.Name}} {{.Driver}} {{.Scope}} {{.Labels}}")
    d.same("network", "inspect", "e2e-n1")
    d.same("network", "inspect", "-f", "{{.Name}} {{.Id}} {{json .Labels}}", nid[:12])
    d.same("network", "inspect", "bridge", "host", "none")
    assert d.berth("network", "rm", "e2e-n1").stdout == "e2e-n1\n"
    d.same("network", "inspect", "e2e-n1")


def test_errors_match_docker(d: Any, nets: list[str]) -> None:
    nets += ["e2e-dup", "e2e-sub", "e2e-sub2"]
    d.berth("network", "create", "e2e-dup")
    d.same("network", "create", "e2e-dup")                   # duplicate name: 409
    d.same("network", "create", "bridge")                    # predefined: 403
    d.same("network", "inspect", "nope-net")
    d.same("network", "rm", "nope-net")
    d.same("network", "rm", "-f", "nope-net")
    d.same("network", "rm", "bridge")
    d.same("network", "connect", "nope-net", "nope-ctr")
    d.berth("network", "create", "--subnet", "10.213.1.0/24", "e2e-sub")
    d.same("network", "create", "--subnet", "10.213.1.0/25", "e2e-sub2")   # overlap
    d.same("network", "create", "--gateway", "10.0.0.1", "x")
    d.same("network", "create", "--subnet", "10.213.2.0/24", "--ip-range", "10.9.0.0/24",
           "x")


def test_rm_in_use_network(d: Any, nets: list[str]) -> None:
    nets.append("e2e-busy")
    d.berth("network", "create", "e2e-busy")
    d.berth("run", "-d", "--network", "e2e-busy", "--name", "busy1", "busybox", "sleep", "60")
    res = d.same("network", "rm", "e2e-busy")
    assert res.returncode == 1 and "has active endpoints" in res.stderr
    d.same("network", "rm", "e2e-busy", "nope-net")


def test_connect_disconnect(d: Any, nets: list[str]) -> None:
    nets.append("e2e-cd")
    d.berth("network", "create", "e2e-cd")
    d.berth("run", "-d", "--name", "cd1", "busybox", "sleep", "60")
    assert d.berth("network", "connect", "--alias", "web", "e2e-cd", "cd1").returncode == 0
    tmpl = "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}"
    assert set(d.berth("inspect", "-f", tmpl, "cd1").stdout.split()) == {"bridge", "e2e-cd"}
    assert ip_on(d, "cd1", "e2e-cd")
    assert "cd1" in d.berth("network", "inspect", "-f",
                            "{{range .Containers}}{{.Name}} {{end}}", "e2e-cd").stdout
    d.same("network", "connect", "e2e-cd", "cd1")            # already connected
    assert d.docker("network", "disconnect", "e2e-cd", "cd1").returncode == 0
    assert set(d.berth("inspect", "-f", tmpl, "cd1").stdout.split()) == {"bridge"}
    d.same("network", "disconnect", "e2e-cd", "cd1")         # not connected


def test_prune(d: Any, nets: list[str]) -> None:
    nets += ["e2e-p1", "e2e-p2", "e2e-keep"]
    for n in nets:
        d.berth("network", "create", n)
    d.berth("run", "-d", "--network", "e2e-keep", "--name", "keep1", "busybox", "sleep", "60")
    res = d.berth("network", "prune", "-f", "--filter", "label!=nothing")
    lines = res.stdout.split("\n")
    assert lines[0] == "Deleted Networks:" and res.stdout.endswith("\n\n")
    assert {"e2e-p1", "e2e-p2"} <= set(lines[1:]) and "e2e-keep" not in lines
    d.same("network", "prune", "-f")
    d.same("network", "prune", input="n\n")


def test_same_network_reachable_other_not(d: Any, nets: list[str]) -> None:
    nets += ["e2e-a", "e2e-b"]
    d.berth("network", "create", "e2e-a")
    d.docker("network", "create", "e2e-b")
    d.berth("run", "-d", "--network", "e2e-a", "--name", "pa", "busybox", "sleep", "60")
    target = ip_on(d, "pa", "e2e-a")
    ok = d.berth("run", "--rm", "--network", "e2e-a", "busybox", "ping", "-c", "1", "-W", "3",
                 target, check=False)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    bad = d.docker("run", "--rm", "--network", "e2e-b", "busybox", "ping", "-c", "1", "-W",
                   "1", target, check=False)
    assert bad.returncode != 0


def test_port_and_ps_ports(d: Any) -> None:
    d.berth("run", "-d", "--name", "pp", "-p", "127.0.0.1::80", "-p", "127.0.0.1:18431:8080",
            "-p", "127.0.0.1:18440-18441:9000-9001", "--expose", "7000-7001", "busybox",
            "sleep", "60")
    lines = d.same("port", "pp").stdout.splitlines()
    assert "8080/tcp -> 127.0.0.1:18431" in lines
    assert d.same("port", "pp", "8080").stdout == "127.0.0.1:18431\n"
    d.same("port", "pp", "9000/tcp")
    d.same("port", "pp", "7000")
    d.same("port", "pp", "81")
    cell = d.same("ps", "-f", "name=pp", "--format", "{{.Ports}}").stdout.strip()
    assert "7000-7001/tcp" in cell and "127.0.0.1:18431->8080/tcp" in cell
    d.same("ps", "-a", "-f", "name=pp")
