"""docker-py's network API on a real berthd: create/list/get/remove, connect/disconnect,
and the errors its users catch (NotFound, APIError with docker's status codes)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

docker = pytest.importorskip("docker")

pytestmark = [pytest.mark.e2e, pytest.mark.root,
              pytest.mark.skipif(os.geteuid() != 0, reason="networks need root"),
              pytest.mark.usefixtures("clean_containers")]  # `d`: tests/e2e/conftest.py


@pytest.fixture
def client(d: Any) -> Iterator[Any]:
    c = d.client()
    yield c
    d.remove_all_containers()
    for n in c.networks.list(names=["py-"]):
        if n.name.startswith("py-"):
            n.remove()


def test_create_list_get_remove(client: Any) -> None:
    net = client.networks.create("py-n1", driver="bridge", labels={"k": "v"},
                                 ipam=docker.types.IPAMConfig(pool_configs=[
                                     docker.types.IPAMPool(subnet="10.213.9.0/24",
                                                           gateway="10.213.9.1")]))
    assert len(net.id) == 64
    assert {n.name for n in client.networks.list()} >= {"bridge", "host", "none", "py-n1"}
    assert [n.name for n in client.networks.list(names=["py-n1"])] == ["py-n1"]
    got = client.networks.get(net.id[:12])
    assert got.name == "py-n1" and got.attrs["Labels"] == {"k": "v"}
    assert got.attrs["IPAM"]["Config"][0]["Subnet"] == "10.213.9.0/24"
    assert got.attrs["Driver"] == "bridge" and got.attrs["Scope"] == "local"
    with pytest.raises(docker.errors.APIError) as exc:
        client.networks.create("py-n1")
    assert exc.value.status_code == 409
    got.remove()
    with pytest.raises(docker.errors.NotFound):
        client.networks.get("py-n1")


def test_connect_disconnect(client: Any) -> None:
    net = client.networks.create("py-cd")
    ctr = client.containers.run("busybox", ["sleep", "60"], detach=True, name="py-c1")
    net.connect(ctr, aliases=["web"])
    net.reload()
    assert [c.name for c in net.containers] == ["py-c1"]
    ctr.reload()
    ep = ctr.attrs["NetworkSettings"]["Networks"]["py-cd"]
    assert ep["IPAddress"] and "web" in (ep.get("Aliases") or [])
    with pytest.raises(docker.errors.APIError) as exc:
        net.remove()
    assert exc.value.status_code in (403, 409)
    net.disconnect(ctr)
    net.reload()
    assert net.containers == []
    ctr.reload()
    assert "py-cd" not in ctr.attrs["NetworkSettings"]["Networks"]


def test_prune_and_unknown(client: Any) -> None:
    client.networks.create("py-pr")
    report = client.networks.prune()
    assert "py-pr" in (report.get("NetworksDeleted") or [])
    with pytest.raises(docker.errors.NotFound):
        client.networks.get("py-nope")
