"""The docker CLI on the default bridge: a container gets an address, reaches another
container by IP, and a ``-p 127.0.0.1:0:80`` port answers on the host's loopback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import urllib.request
from typing import Any

import pytest

from berth.testing.waiting import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.root,
              pytest.mark.skipif(os.geteuid() != 0, reason="containers need root"),
              pytest.mark.skipif(shutil.which("docker") is None, reason="no docker CLI"),
              pytest.mark.usefixtures("clean_containers")]  # `d`: tests/e2e/conftest.py


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as r:  # loopback only
            return str(r.read().decode())
    except OSError:
        return None


def test_bridge_address_peer_and_published_port(d: Any) -> None:
    out = d.docker("run", "--rm", "busybox", "ip", "-4", "-o", "addr", "show", "eth0").stdout
    assert " inet 172." in out or " inet 10." in out or " inet 192.168." in out, out
    d.docker("run", "-d", "--name", "web", "-p", "127.0.0.1:0:80", "busybox", "sh", "-c",
             "echo hello-from-web > /tmp/index.html; exec httpd -f -p 80 -h /tmp")
    info = json.loads(d.docker("inspect", "web").stdout)[0]
    ns = info["NetworkSettings"]
    ip = ns["Networks"]["bridge"]["IPAddress"]
    assert ip and ns["IPAddress"] == ip and ns["Networks"]["bridge"]["Gateway"]
    binding = ns["Ports"]["80/tcp"][0]
    assert binding["HostIp"] == "127.0.0.1" and int(binding["HostPort"]) > 0
    url = f"http://127.0.0.1:{binding['HostPort']}/index.html"
    assert wait_for(lambda: _get(url), timeout=10) == "hello-from-web\n"
    peer = d.docker("run", "--rm", "busybox", "wget", "-qO-", f"http://{ip}/index.html")
    assert peer.stdout == "hello-from-web\n"
    d.docker("rm", "-f", "web")
    assert _get(url) is None


def test_sctp_port_published(d: Any) -> None:
    """``-p …/sctp``: parsed, listed like docker lists it, and DNATed by an ``sctp
    dport`` rule (traffic is tested in tests/privileged/network/test_net_sctp.py when
    the kernel has SCTP)."""
    d.docker("run", "-d", "--name", "sctp1", "-p", "127.0.0.1::9000/sctp", "busybox",
             "sleep", "300")
    info = json.loads(d.docker("inspect", "sctp1").stdout)[0]
    binding = info["NetworkSettings"]["Ports"]["9000/sctp"][0]
    assert binding["HostIp"] == "127.0.0.1" and int(binding["HostPort"]) > 0
    assert "9000/sctp" in info["Config"]["ExposedPorts"]
    out = d.docker("port", "sctp1").stdout
    assert f"9000/sctp -> 127.0.0.1:{binding['HostPort']}" in out
    ip = info["NetworkSettings"]["IPAddress"]
    rules = subprocess.run(["nft", "list", "ruleset"], capture_output=True, text=True,
                           check=True).stdout
    assert f"sctp dport {binding['HostPort']} dnat to {ip}:9000" in rules
    d.docker("rm", "-f", "sctp1")
    rules = subprocess.run(["nft", "list", "ruleset"], capture_output=True, text=True,
                           check=True).stdout
    assert f"dnat to {ip}:9000" not in rules
