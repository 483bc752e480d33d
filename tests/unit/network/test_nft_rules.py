"""The nftables batch as data: whole-table replacement, masquerade, isolation, internal,
DNAT and the FORWARD accepts."""

from __future__ import annotations

from typing import Any

from berth.network import nftrules as R


def _rules(batch: list[dict[str, Any]], chain: str) -> list[list[dict[str, Any]]]:
    return [c["add"]["rule"]["expr"] for c in batch
            if "rule" in c.get("add", {}) and c["add"]["rule"]["chain"] == chain]


def test_table_batch() -> None:
    nets = [R.NetRules("berth0", ["172.17.0.0/16"]),
            R.NetRules("br-a", ["10.1.0.0/24"], internal=True)]
    ports = [R.PortRule("tcp", "", 8080, "172.17.0.2", 80),
             R.PortRule("udp", "127.0.0.1", 53, "172.17.0.2", 53)]
    batch = R.table_batch("ip", nets, ports)
    t = {"family": "ip", "name": "berth"}
    assert batch[:3] == [{"add": {"table": t}}, {"delete": {"table": t}},
                         {"add": {"table": t}}]
    post = _rules(batch, "postrouting")
    masq = [r for r in post if r[0]["match"]["right"] == {"prefix": {"addr": "172.17.0.0",
                                                                      "len": 16}}]
    assert masq and masq[0][1]["match"] == {"op": "!=", "left": {"meta": {"key": "oifname"}},
                                            "right": "berth0"}
    assert not [r for r in post if r[0]["match"]["right"] == {"prefix": {"addr": "10.1.0.0",
                                                                          "len": 24}}]
    fwd = _rules(batch, "forward")
    assert fwd[0][-1] == {"drop": None} and fwd[0][0]["match"]["right"] == "br-a"
    assert {"jump": {"target": "ports"}} in _rules(batch, "prerouting")[0]
    p = _rules(batch, "ports")
    assert p[0] == [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp",
                                                                 "field": "dport"}},
                               "right": 8080}},
                    {"dnat": {"addr": "172.17.0.2", "port": 80}}]
    assert p[1][0]["match"]["right"] == "127.0.0.1"
    assert _rules(R.table_batch("ip6", nets, ports), "ports") == []


def test_forward_accepts() -> None:
    got = R.forward_accepts("ip", ["br-b", "berth0"], "berth")
    assert [r["insert"]["rule"]["comment"] for r in got] == ["berth"] * 4
    assert got[0]["insert"]["rule"]["expr"][0]["match"]["right"] == "berth0"
