"""A container's /etc files per network mode: user networks (embedded DNS), default bridge,
host, container:<id>; --add-host forms and host-gateway; legacy links."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from berth.containers import etcfiles
from berth.containers.etcfiles import Link, hosts, parse_extra_host, resolv_conf
from berth.errdefs import InvalidArgument

HOST = "nameserver 127.0.0.53\nnameserver 10.0.0.1\nsearch corp.example lan\noptions edns0\n"


def body(text: str) -> list[str]:
    """The lines that configure the resolver (comments dropped)."""
    return [ln for ln in text.splitlines() if ln and not ln.startswith("#")]


def test_user_network_points_at_the_embedded_server() -> None:
    text = resolv_conf(HOST, {}, embedded_dns=True, comments=True)
    assert body(text) == ["nameserver 127.0.0.11", "search corp.example lan",
                          "options edns0 ndots:0"]
    assert "# ExtServers: [host(127.0.0.53) 10.0.0.1]" in text
    assert "# Based on host file: '/etc/resolv.conf' (internal resolver)" in text
    assert "# Overrides: []" in text and "# Option ndots from: internal" in text


def test_user_network_with_dns_flags() -> None:
    hc = {"Dns": ["127.0.0.1", "9.9.9.9"], "DnsSearch": ["a.example"],
          "DnsOptions": ["ndots:3", "rotate"]}
    text = resolv_conf(HOST, hc, embedded_dns=True, comments=True)
    assert body(text) == ["nameserver 127.0.0.11", "search a.example",
                          "options ndots:3 rotate"]
    assert "# ExtServers: [127.0.0.1 9.9.9.9]" in text  # --dns: not the host's loopback
    assert "# Overrides: [nameservers search options]" in text
    assert "# Option ndots from: override" in text


def test_embedded_keeps_a_host_ndots_and_drops_a_bad_one() -> None:
    assert body(resolv_conf("options ndots:2\n", {}, embedded_dns=True))[-1] == \
        "options ndots:2"
    assert body(resolv_conf("options ndots:x edns0\n", {}, embedded_dns=True))[-1] == \
        "options edns0 ndots:0"
    text = resolv_conf("", {}, embedded_dns=True, comments=True)
    assert "# ExtServers: [8.8.8.8 8.8.4.4]" in text and "# Used default nameservers." in text


def test_default_bridge_uses_host_resolvers_without_loopback() -> None:
    text = resolv_conf(HOST, {"NetworkMode": "bridge"}, comments=True)
    assert body(text) == ["nameserver 10.0.0.1", "search corp.example lan", "options edns0"]
    assert "(legacy)" in text and "ExtServers" not in text
    only_lo = resolv_conf("nameserver 127.0.0.53\n", {})
    assert body(only_lo)[:2] == ["nameserver 8.8.8.8", "nameserver 8.8.4.4"]
    assert body(resolv_conf(HOST, {"Dns": ["127.0.0.1"]})) [0] == "nameserver 127.0.0.1"


def test_host_network_keeps_the_host_file() -> None:
    assert body(resolv_conf(HOST, {"NetworkMode": "host"}))[:2] == [
        "nameserver 127.0.0.53", "nameserver 10.0.0.1"]
    # embedded_dns means nothing with host networking
    assert "127.0.0.11" not in resolv_conf(HOST, {"NetworkMode": "host"}, embedded_dns=True)


def test_search_dot_is_dropped() -> None:
    assert "search" not in resolv_conf(HOST, {"DnsSearch": ["."]})


@pytest.mark.parametrize(("entry", "want"), [
    ("db:10.0.0.2", ("db", "10.0.0.2")),
    ("db=10.0.0.2", ("db", "10.0.0.2")),
    ("v6:::1", ("v6", "::1")),
    ("v6:[fd00::1]", ("v6", "fd00::1")),
    ("v6=[::1]", ("v6", "::1")),
    ("gw:host-gateway", ("gw", "host-gateway")),
])
def test_add_host_forms(entry: str, want: tuple[str, str]) -> None:
    assert parse_extra_host(entry) == want


@pytest.mark.parametrize(("entry", "msg"), [
    ("nocolon", "bad format for add-host"),
    (":10.0.0.1", "bad format for add-host"),
    ("db:notanip", "invalid IP address in add-host: 'notanip'"),
    ("db:", "invalid IP address in add-host"),
    ("db:[10.0.0.1", "invalid IP address in add-host"),
])
def test_add_host_errors(entry: str, msg: str) -> None:
    with pytest.raises(InvalidArgument, match=msg):
        parse_extra_host(entry)
    with pytest.raises(InvalidArgument, match=msg):
        etcfiles.check({"ExtraHosts": [entry]})


def test_check_dns_servers() -> None:
    etcfiles.check({"Dns": ["1.1.1.1", "::1"], "ExtraHosts": ["a:1.2.3.4"]})
    with pytest.raises(InvalidArgument, match=r"dns\.example is not an ip address"):
        etcfiles.check({"Dns": ["dns.example"]})


def test_hosts_lines_in_docker_order() -> None:
    hc = {"ExtraHosts": ["gw:host-gateway", "v6:[::1]", "db=10.0.0.9"]}
    text = hosts("web", "", hc, "", ips=["172.18.0.2", "fd18::2"],
                 host_gateway=lambda: "172.17.0.1",
                 links=[Link("172.17.0.5", "cache", "redis", "4f3a2b1c0d9e"),
                        Link("172.17.0.6", "pg", "pg", "pg")])
    assert text.startswith(etcfiles.HOSTS_DEFAULT)
    assert text[len(etcfiles.HOSTS_DEFAULT):].splitlines() == [
        "172.17.0.1\tgw", "::1\tv6", "10.0.0.9\tdb",
        "172.17.0.5\tcache 4f3a2b1c0d9e redis", "172.17.0.6\tpg",
        "172.18.0.2\tweb", "fd18::2\tweb"]


def test_hosts_domainname_and_no_address() -> None:
    text = hosts("web", "example.org", {}, "", ips=["10.0.0.2"])
    assert text.endswith("10.0.0.2\tweb.example.org web\n")
    assert hosts("web", "", {}, "").endswith("127.0.0.1\tweb\n")


def test_host_gateway_sources_and_errors() -> None:
    hc = {"ExtraHosts": ["gw:host-gateway"]}
    assert "10.1.0.1\tgw\nfd00::1\tgw\n" in hosts("h", "", hc, "",
                                                 host_gateway=["10.1.0.1", "fd00::1"])
    with pytest.raises(InvalidArgument, match="unable to derive the IP value for host-gateway"):
        hosts("h", "", hc, "")
    calls: list[int] = []
    hosts("h", "", {}, "", host_gateway=lambda: calls.append(1) or "x")
    assert calls == []  # asked only when used


def test_hosts_with_host_network_is_the_hosts_file_plus_extras() -> None:
    text = hosts("web", "", {"NetworkMode": "host", "ExtraHosts": ["a:1.2.3.4"]},
                 "127.0.0.1 localhost myhost", ips=["10.0.0.2"])
    assert text == "127.0.0.1 localhost myhost\n1.2.3.4\ta\n"


def rec(**hc: Any) -> dict[str, Any]:
    return {"Config": {"Hostname": "web", "Domainname": ""}, "HostConfig": hc}


def test_write_all_modes(tmp_path: Path) -> None:
    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "resolv.conf").write_text(HOST)
    (etc / "hosts").write_text("127.0.0.1 localhost\n")
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    files = etcfiles.write_all(a, rec(NetworkMode="net1"), etc, ips=["172.20.0.2"],
                               embedded_dns=True)
    assert files == {"/etc/resolv.conf": str(a / "resolv.conf"),
                     "/etc/hostname": str(a / "hostname"), "/etc/hosts": str(a / "hosts")}
    assert "nameserver 127.0.0.11\n" in (a / "resolv.conf").read_text()
    assert (a / "hosts").read_text().endswith("172.20.0.2\tweb\n")
    assert (a / "hostname").read_text() == "web\n"
    shared = etcfiles.write_all(b, rec(NetworkMode="container:abc"), etc, share_from=a)
    assert shared == files and list(b.iterdir()) == []
    old = etcfiles.write_all(b, rec(), etc)  # the old call still works: default bridge
    assert body((b / "resolv.conf").read_text())[0] == "nameserver 10.0.0.1"
    assert set(old) == set(files)
