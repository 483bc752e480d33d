"""Legacy links under ``enable_icc=false``, for real inside a throwaway host namespace:
containers on such a network cannot reach each other, except a linking container the
target's exposed ports; the accepts follow the target's address, and go when either
container leaves or is removed. Through netglue, a target that starts again with
another address gets the linking container's /etc/hosts line rewritten in place."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from nettest_util import nft, reach, serving

from berth import errdefs
from berth.containers.netglue import ContainerNetworks
from berth.network import EndpointSpec, NetworkConfig, NetworkService
from berth.testing.waiting import wait_for

pytestmark = pytest.mark.root
QUIET = {"com.docker.network.bridge.enable_icc": "false"}


def _bridge_rules(svc: NetworkService, hostns: str) -> str:
    return nft(hostns, "list", "table", "bridge", svc.table)


def test_link_opens_exposed_port_under_icc_false(svc: NetworkService, hostns: str) -> None:
    svc.create_network({"Name": "quiet", "Options": QUIET})
    ns = {c: svc.sandbox(c) for c in ("app", "db", "other")}
    app, db, other = (svc.join(c, "quiet", ns[c], EndpointSpec(name=c)) for c in ns)
    with serving(ns["db"], 80), serving(ns["db"], 81):
        assert reach(ns["app"], db.ipv4, 80, timeout=0.5) is None  # icc=false
        svc.set_links("app", [("db", "tcp", 80)])
        assert reach(ns["app"], db.ipv4, 80) == f"hello {app.ipv4}"
        assert reach(ns["app"], db.ipv4, 81, timeout=0.5) is None  # not exposed
        assert reach(ns["other"], db.ipv4, 80, timeout=0.5) is None  # not linked
    rules = _bridge_rules(svc, hostns)
    assert f"ip saddr {app.ipv4} ip daddr {db.ipv4} tcp dport 80 accept" in rules
    assert f"ip saddr {db.ipv4} ip daddr {app.ipv4} tcp sport 80 accept" in rules
    # the target stops: its accepts go; it comes back elsewhere: they follow it
    svc.leave("db", "quiet")
    assert db.ipv4 not in _bridge_rules(svc, hostns)
    svc.remove_sandbox("db")
    svc.forget("db")  # removed: the link rows that name it go too
    assert svc.link_parents("db") == []
    svc.set_links("app", [("db", "tcp", 80)])
    db2 = svc.join("db", "quiet", svc.sandbox("db"), EndpointSpec(name="db"))
    assert db2.ipv4 != db.ipv4
    with serving(svc.sandbox("db"), 80):
        assert reach(ns["app"], db2.ipv4, 80) == f"hello {app.ipv4}"
    # the linking container leaves its last network: its links and accepts go
    svc.leave("app", "quiet")
    assert svc.link_parents("db") == []
    rules = _bridge_rules(svc, hostns)
    assert "saddr" not in rules and "drop" in rules
    assert other.ipv4


def test_icc_table_goes_with_the_last_quiet_network(svc: NetworkService,
                                                    hostns: str) -> None:
    nid = svc.create_network({"Name": "quiet2", "Options": QUIET})["Id"]
    assert "drop" in _bridge_rules(svc, hostns)
    svc.remove_network(nid)
    assert "table bridge" not in nft(hostns, "list", "tables")


class _Recs:
    """The container records netglue asks for (what ContainerService.get returns)."""

    def __init__(self) -> None:
        self.by_id: dict[str, dict[str, Any]] = {}

    def get(self, ref: str) -> dict[str, Any]:
        for rec in self.by_id.values():
            if ref in (rec["ID"], rec["Name"].lstrip("/")):
                return rec
        raise errdefs.NotFound(f"No such container: {ref}")

    def make(self, cid: str, links: list[str] | None = None,
             exposed: dict[str, Any] | None = None) -> dict[str, Any]:
        rec = {"ID": cid, "Name": f"/{cid}", "State": {"Running": False, "Pid": 0},
               "Config": {"Hostname": cid, "ExposedPorts": exposed or {}, "Env": []},
               "HostConfig": {"NetworkMode": "bridge", "Links": links or []}}
        self.by_id[cid] = rec
        return rec


@pytest.fixture
def quiet_svc(tmp_path: Path, netcfg: NetworkConfig,
              mksvc: Callable[[], NetworkService]) -> NetworkService:
    """A service whose default bridge has icc=false (daemon.json ``"icc": false``)."""
    netcfg.icc = False
    return mksvc()


def test_links_through_netglue(quiet_svc: NetworkService, hostns: str,
                               tmp_path: Path) -> None:
    svc, recs = quiet_svc, _Recs()
    nets = ContainerNetworks(svc, lookup=recs.get)
    root = tmp_path / "containers"

    def start(rec: dict[str, Any]) -> str:
        (root / rec["ID"]).mkdir(parents=True, exist_ok=True)
        plan = nets.attach(rec, root / rec["ID"])
        assert plan.plumb is not None  # the veths come after the spawn, in a start
        plan.plumb()
        rec["State"]["Running"] = True
        assert plan.netns
        return plan.netns

    def stop(rec: dict[str, Any]) -> None:
        nets.detach(rec)
        rec["State"]["Running"] = False

    db = recs.make("db", exposed={"80/tcp": {}})
    app = recs.make("app", links=["db:data"])
    other = recs.make("other")
    for rec in (db, app, other):
        nets.check_create(rec)
    assert app["HostConfig"]["Links"] == ["/db:/app/data"]
    db_ns = start(db)
    app_ns, other_ns = start(app), start(other)
    db_ip, app_ip = nets._bridge_ip("db"), nets._bridge_ip("app")
    hosts = root / "app" / "hosts"
    assert f"{db_ip}\tdata db\n" in hosts.read_text()
    inode = hosts.stat().st_ino
    with serving(db_ns, 80):
        assert reach(app_ns, db_ip, 80) == f"hello {app_ip}"
        assert reach(other_ns, db_ip, 80, timeout=0.5) is None
    # db restarts with another address (its old one was taken meanwhile)
    stop(db)
    with svc.store.tx() as tx:
        tx.execute("DELETE FROM prefs WHERE cid = 'db'")
    db_ns = start(db)
    new_ip = nets._bridge_ip("db")
    assert new_ip != db_ip
    text = hosts.read_text()
    assert f"{new_ip}\tdata db\n" in text and db_ip + "\t" not in text
    assert hosts.stat().st_ino == inode  # in place: the container's bind mount sees it
    with serving(db_ns, 80):
        assert wait_for(lambda: reach(app_ns, new_ip, 80) == f"hello {app_ip}",
                        timeout=5)
    # the linking container is removed: its accepts go
    stop(app)
    nets.forget(copy.deepcopy(app))
    assert "saddr" not in _bridge_rules(svc, hostns)
    for rec in (db, other):
        stop(rec)
