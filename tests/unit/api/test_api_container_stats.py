"""Routes of ``/containers/{id}/stats`` and ``/update`` over a small fake backend."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from berth import errdefs
from berth.api import Backends, make_app


class StatsFake:
    def __init__(self) -> None:
        self.updates: list[tuple[str, dict[str, Any]]] = []
        self.calls: list[tuple[bool, bool]] = []

    async def stats(self, id: str, stream: bool, one_shot: bool
                    ) -> AsyncGenerator[dict[str, Any], None]:
        self.calls.append((stream, one_shot))
        if id != "c1":
            raise errdefs.NotFound(f"No such container: {id}")
        for n in range(3 if stream else 1):
            yield {"id": id, "n": n}

    def update(self, id: str, body: dict[str, Any]) -> dict[str, Any]:
        if body.get("Memory") == 1:
            raise errdefs.InvalidArgument("Minimum memory limit allowed is 6MB")
        self.updates.append((id, body))
        return {"Warnings": []}


@pytest.fixture
async def sclient(fakes: Backends) -> AsyncIterator[tuple[TestClient[Any, Any], StatsFake]]:
    fake = StatsFake()
    fakes.containers = fake  # type: ignore[assignment]
    async with TestClient(TestServer(make_app(fakes))) as c:
        yield c, fake


async def test_stats_one_object(sclient: Any) -> None:
    c, fake = sclient
    r = await c.get("/v1.44/containers/c1/stats?stream=false")
    assert r.status == 200 and r.headers["Content-Type"] == "application/json"
    assert json.loads(await r.text()) == {"id": "c1", "n": 0}
    await c.get("/v1.44/containers/c1/stats?stream=0&one-shot=1")
    await c.get("/v1.40/containers/c1/stats?stream=0&one-shot=1")  # one-shot is ≥ 1.41
    assert fake.calls == [(False, False), (False, True), (False, False)]


async def test_stats_stream_lines(sclient: Any) -> None:
    c, _ = sclient
    r = await c.get("/containers/c1/stats")
    lines = (await r.text()).splitlines()
    assert [json.loads(x)["n"] for x in lines] == [0, 1, 2]


async def test_stats_errors(sclient: Any) -> None:
    c, _ = sclient
    r = await c.get("/containers/nope/stats?stream=false")
    assert r.status == 404 and (await r.json())["message"] == "No such container: nope"
    r = await c.get("/containers/c1/stats?stream=true&one-shot=true")
    assert r.status == 400
    assert (await r.json())["message"] == "cannot have stream=true and one-shot=true"


async def test_update(sclient: Any) -> None:
    c, fake = sclient
    r = await c.post("/containers/c1/update", json={"Memory": 64 << 20})
    assert r.status == 200 and await r.json() == {"Warnings": []}
    assert fake.updates == [("c1", {"Memory": 64 << 20})]
    r = await c.post("/containers/c1/update", json={"Memory": 1})
    assert r.status == 400
