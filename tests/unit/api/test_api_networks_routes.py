"""/networks routes over a fake network backend: parsing, docker's 400s, status codes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from berth import errdefs

NID = "a1" * 32


class FakeNetworks:
    """Records calls; one user network ``n1`` besides the predefined ones."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.nets = {name: {"Name": name, "Id": name * 4, "Scope": "local", "Driver": d}
                     for name, d in (("bridge", "bridge"), ("host", "host"), ("none", "null"))}
        self.nets["n1"] = {"Name": "n1", "Id": NID, "Scope": "local", "Driver": "bridge"}

    def list_networks(self, filters: dict[str, list[str]]) -> list[dict[str, Any]]:
        self.calls.append(("list", filters))
        names = filters.get("name")
        return [n for n in self.nets.values()
                if not names or any(x in n["Name"] for x in names)]

    def inspect_network(self, ref: str, verbose: bool = False) -> dict[str, Any]:
        self.calls.append(("inspect", (ref, verbose)))
        for n in self.nets.values():
            if ref in (n["Name"], n["Id"]) or n["Id"].startswith(ref):
                return n
        raise errdefs.NotFound(f"network {ref} not found")

    def create_network(self, body: dict[str, Any]) -> dict[str, Any]:
        self.calls.append(("create", body))
        return {"Id": "c" * 64, "Warning": ""}

    def remove_network(self, ref: str) -> None:
        self.calls.append(("remove", ref))
        self.inspect_network(ref)

    def prune_networks(self, filters: dict[str, list[str]]) -> list[str]:
        self.calls.append(("prune", filters))
        return ["n1"] if not filters else []

    def connect(self, network_ref: str, container_ref: str, cfg: dict[str, Any]) -> None:
        self.calls.append(("connect", (network_ref, container_ref, cfg)))

    def disconnect(self, network_ref: str, container_ref: str, force: bool) -> None:
        self.calls.append(("disconnect", (network_ref, container_ref, force)))


@pytest.fixture
def nets(fakes: Any) -> FakeNetworks:
    fake = FakeNetworks()
    fakes.networks = fake
    fakes.netattach = fake
    return fake


async def message(resp: Any) -> str:
    return str((await resp.json())["message"])


async def test_list_without_backend_is_empty(client) -> None:
    resp = await client.get("/v1.44/networks")
    assert resp.status == 200
    assert await resp.json() == []


async def test_list_passes_filters(client, nets) -> None:
    resp = await client.get('/networks?filters={"name":{"n1":true},"type":["custom"]}')
    assert resp.status == 200
    assert [n["Name"] for n in await resp.json()] == ["n1"]
    assert nets.calls == [("list", {"name": ["n1"], "type": ["custom"]})]


@pytest.mark.parametrize(("filters", "msg"), [
    ('{"color":{"x":true}}', "invalid filter 'color'"),
    ('{"dangling":{"maybe":true}}', "invalid filter 'dangling=maybe'"),
    ('{"type":{"fancy":true}}', "invalid filter: 'type'='fancy'"),
])
async def test_list_bad_filters(client, nets, filters, msg) -> None:
    resp = await client.get(f"/networks?filters={filters}")
    assert resp.status == 400
    assert await message(resp) == msg
    assert nets.calls == []


async def test_inspect_verbose_and_scope(client, nets) -> None:
    resp = await client.get("/networks/a1a1?verbose=true")
    assert resp.status == 200
    assert (await resp.json())["Name"] == "n1"
    assert nets.calls == [("inspect", ("a1a1", True))]
    resp = await client.get("/networks/n1?scope=swarm")
    assert resp.status == 404
    assert await message(resp) == "network n1 not found"
    resp = await client.get("/networks/n1?verbose=yes")
    assert resp.status == 400
    assert await message(resp) == "invalid value for verbose: yes"


async def test_inspect_missing(client, nets) -> None:
    resp = await client.get("/networks/nope")
    assert resp.status == 404
    assert await message(resp) == "network nope not found"


async def test_create(client, nets) -> None:
    body = {"Name": "n2", "Driver": "bridge", "IPAM": {"Driver": "default", "Config": []},
            "Options": {}, "Labels": {"a": "b"}}
    resp = await client.post("/v1.44/networks/create", json=body)
    assert resp.status == 201
    assert await resp.json() == {"Id": "c" * 64, "Warning": ""}
    created = nets.calls[-1]
    assert created[0] == "create" and created[1]["CheckDuplicate"] is True
    assert created[1]["Labels"] == {"a": "b"}


async def test_create_duplicate_name_is_409(client, nets) -> None:
    resp = await client.post("/networks/create", json={"Name": "n1"})
    assert resp.status == 409
    assert await message(resp) == "network with name n1 already exists"
    assert not any(c[0] == "create" for c in nets.calls)


async def test_create_duplicate_allowed_before_1_44_without_check(client, nets) -> None:
    resp = await client.post("/v1.43/networks/create", json={"Name": "n1"})
    assert resp.status == 201
    resp = await client.post("/v1.43/networks/create",
                             json={"Name": "n1", "CheckDuplicate": True})
    assert resp.status == 409


@pytest.mark.parametrize(("body", "status", "msg"), [
    ({}, 400, "network name is required: Name must not be empty"),
    ({"Name": ""}, 400, "network name is required: Name must not be empty"),
    ({"Name": "bridge"}, 403, "operation is not permitted on predefined bridge network "),
    ({"Name": "x", "Labels": {"a": 1}}, 400, "invalid JSON: Labels must be a map of strings"),
    ([1], 400, "invalid JSON: the request body must be an object"),
])
async def test_create_rejects(client, nets, body, status, msg) -> None:
    resp = await client.post("/networks/create", json=body)
    assert resp.status == status
    assert await message(resp) == msg


async def test_create_needs_json_content_type(client, nets) -> None:
    resp = await client.post("/networks/create", data=b'{"Name":"x"}',
                             headers={"Content-Type": "text/plain"})
    assert resp.status == 400
    assert await message(resp) == ("unsupported Content-Type header (text/plain): must be "
                                   "'application/json'")
    resp = await client.post("/networks/create", data=b"{oops",
                             headers={"Content-Type": "application/json"})
    assert resp.status == 400
    assert (await message(resp)).startswith("invalid JSON")


async def test_create_without_backend_is_501(client) -> None:
    resp = await client.post("/networks/create", json={"Name": "x"})
    assert resp.status == 501


async def test_remove(client, nets) -> None:
    assert (await client.delete("/networks/n1")).status == 204
    resp = await client.delete("/networks/nope")
    assert resp.status == 404


async def test_connect_and_disconnect(client, nets) -> None:
    cfg = {"IPAMConfig": {"IPv4Address": "10.1.0.5"}, "Aliases": ["web"]}
    resp = await client.post("/networks/n1/connect", json={"Container": "c1",
                                                           "EndpointConfig": cfg})
    assert resp.status == 200
    resp = await client.post("/networks/n1/disconnect", json={"Container": "c1",
                                                              "Force": True})
    assert resp.status == 200
    assert nets.calls == [("connect", ("n1", "c1", cfg)), ("disconnect", ("n1", "c1", True))]


async def test_connect_without_endpoint_config(client, nets) -> None:
    resp = await client.post("/networks/n1/connect", json={"Container": "c1"})
    assert resp.status == 200
    assert nets.calls == [("connect", ("n1", "c1", {}))]


@pytest.mark.parametrize(("body", "msg"), [
    ({}, "container ID or name is required: Container must not be empty"),
    ({"Container": "c", "EndpointConfig": {"Aliases": "web"}},
     "invalid JSON: Aliases must be a list of strings"),
    ({"Container": "c", "EndpointConfig": {"IPAMConfig": []}},
     "invalid JSON: IPAMConfig must be an object"),
])
async def test_connect_rejects(client, nets, body, msg) -> None:
    resp = await client.post("/networks/n1/connect", json=body)
    assert resp.status == 400
    assert await message(resp) == msg
    assert nets.calls == []


async def test_disconnect_force_must_be_bool(client, nets) -> None:
    resp = await client.post("/networks/n1/disconnect", json={"Container": "c", "Force": "1"})
    assert resp.status == 400


async def test_prune(client, nets) -> None:
    resp = await client.post("/networks/prune")
    assert await resp.json() == {"NetworksDeleted": ["n1"]}
    resp = await client.post('/networks/prune?filters={"until":{"1h":true}}')
    assert await resp.json() == {"NetworksDeleted": None}
    resp = await client.post('/networks/prune?filters={"dangling":{"true":true}}')
    assert resp.status == 400
    assert await message(resp) == "invalid filter 'dangling'"


def test_fake_is_json_shaped() -> None:
    assert json.loads(json.dumps(FakeNetworks().nets))["n1"]["Id"] == NID
