"""The iptables-table restore script: only tables that changed, deleted or put back."""

from __future__ import annotations

from bench.engines.firewall import restore_script

NAT = "table ip nat {\n\tchain POSTROUTING {\n\t}\n}\n"


def test_unchanged_tables_give_no_script() -> None:
    assert restore_script({("ip", "nat"): NAT}, {("ip", "nat"): NAT}) == ""


def test_tables_made_meanwhile_are_deleted() -> None:
    assert restore_script({}, {("ip", "filter"): "x", ("ip", "nat"): NAT}) == (
        "delete table ip filter\ndelete table ip nat\n")


def test_changed_or_deleted_tables_come_back_as_they_were() -> None:
    before = {("ip", "nat"): NAT, ("ip6", "filter"): "table ip6 filter {\n}"}
    now = {("ip", "nat"): NAT.replace("POSTROUTING", "DOCKER")}
    assert restore_script(before, now) == (
        "delete table ip nat\n" + NAT + "table ip6 filter {\n}\n")
