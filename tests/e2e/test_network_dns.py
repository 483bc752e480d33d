"""Embedded DNS end to end with the real docker CLI: containers on a user network resolve
each other by name and alias, other networks cannot, outside names are forwarded, and
the /etc files follow --add-host host-gateway and --dns.

Forwarded queries must stay on this machine: every container that may forward gets
``--dns 127.53.0.x`` (berth forwards from the host's namespace, so that reaches a fake
upstream on the host's loopback), never the host's real resolvers.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from tests.unit.network.dnstest_util import FakeUpstream

pytest.importorskip("berth.containers.netglue", reason="network core not integrated yet")

pytestmark = [pytest.mark.e2e, pytest.mark.root,
              pytest.mark.skipif(os.geteuid() != 0, reason="containers need root"),
              pytest.mark.skipif(shutil.which("docker") is None, reason="no docker CLI"),
              pytest.mark.usefixtures("clean_containers")]  # `d`: tests/e2e/conftest.py

FAKE_NS = "127.53.0.7"


@pytest.fixture(scope="module")
def upstream() -> Iterator[FakeUpstream]:
    try:
        up = FakeUpstream(FAKE_NS, 53)
    except OSError as exc:
        pytest.skip(f"cannot listen on {FAKE_NS}:53: {exc}")
    with up:
        yield up


def mknet(d: Any, nets: list[str], name: str) -> str:
    d.docker("network", "rm", name, check=False)
    d.docker("network", "create", name)
    nets.append(name)
    return name


def ip_of(d: Any, ctr: str, net: str) -> str:
    fmt = '{{(index .NetworkSettings.Networks "' + net + '").IPAddress}}'
    return str(d.docker("inspect", "-f", fmt, ctr).stdout.strip())


def run(d: Any, *args: str, check: bool = True) -> Any:
    return d.docker("run", "--rm", "--dns", FAKE_NS, *args, check=check, timeout=60)


def test_names_and_aliases_on_a_shared_network(d: Any, nets: list[str],
                                               upstream: FakeUpstream) -> None:
    net = mknet(d, nets, "dnsnet1")
    d.docker("run", "-d", "--name", "dnsweb", "--network", net, "--network-alias", "www",
             "--hostname", "webhost", "busybox", "sleep", "300")
    ip = ip_of(d, "dnsweb", net)
    cid = d.docker("inspect", "-f", "{{.Id}}", "dnsweb").stdout.strip()
    for name in ("dnsweb", "www", "DNSWEB", cid[:12], "webhost", f"dnsweb.{net}"):
        out = run(d, "--network", net, "busybox", "nslookup", name).stdout
        assert ip in out, (name, out)
    assert run(d, "--network", net, "busybox", "ping", "-c1", "-W2", "www").returncode == 0
    assert not any(n in ("dnsweb", "www") for n, _ in upstream.seen)


def test_other_networks_cannot_resolve(d: Any, nets: list[str],
                                       upstream: FakeUpstream) -> None:
    net, other = mknet(d, nets, "dnsnet2"), mknet(d, nets, "dnsnet3")
    d.docker("run", "-d", "--name", "dnshidden", "--network", net, "busybox", "sleep", "300")
    ip = ip_of(d, "dnshidden", net)
    res = run(d, "--network", other, "busybox", "nslookup", "dnshidden", check=False)
    assert ip not in res.stdout and res.returncode != 0
    assert ("dnshidden", "udp") in upstream.seen  # asked upstream, which said NXDOMAIN


def test_outside_names_are_forwarded(d: Any, nets: list[str], upstream: FakeUpstream) -> None:
    net = mknet(d, nets, "dnsnet4")
    out = run(d, "--network", net, "busybox", "nslookup", "ext.example").stdout
    assert "192.0.2.7" in out


def test_resolv_conf_per_mode(d: Any, nets: list[str]) -> None:
    net = mknet(d, nets, "dnsnet5")
    user = d.docker("run", "--rm", "--network", net, "--dns", "192.0.2.53", "--dns-search",
                    "corp.example", "busybox", "cat", "/etc/resolv.conf").stdout
    assert "nameserver 127.0.0.11\n" in user and "options ndots:0" in user
    assert "# ExtServers: [192.0.2.53]" in user and "search corp.example" in user
    bridge = d.docker("run", "--rm", "--dns", "192.0.2.53", "busybox", "cat",
                      "/etc/resolv.conf").stdout
    assert "nameserver 192.0.2.53\n" in bridge and "127.0.0.11" not in bridge


def test_hosts_add_host_and_own_address(d: Any, nets: list[str]) -> None:
    gw = d.docker("network", "inspect", "-f", "{{(index .IPAM.Config 0).Gateway}}",
                  "bridge").stdout.strip()
    out = d.docker("run", "--rm", "--hostname", "h1", "--add-host", "gw:host-gateway",
                   "--add-host", "v6:[fd00::5]", "--add-host", "db=192.0.2.9", "busybox",
                   "sh", "-c", "cat /etc/hosts; ip -4 -o addr show eth0").stdout
    assert f"{gw}\tgw\n" in out and "fd00::5\tv6\n" in out and "192.0.2.9\tdb\n" in out
    own = out.split("inet ")[1].split("/")[0]
    assert f"{own}\th1\n" in out
