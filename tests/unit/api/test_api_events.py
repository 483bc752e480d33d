from __future__ import annotations

import asyncio
import json
import time

import pytest

from berth import errdefs
from berth.api import eventfilter as ef


def ev(type_: str, action: str, ident: str, t: int = 0, **attrs: str) -> dict:
    return {"Type": type_, "Action": action, "Actor": {"ID": ident, "Attributes": attrs},
            "scope": "local", "time": t // 10**9, "timeNano": t}


IMG = ev("image", "tag", "sha256:abc", name="busybox:latest", maintainer="me")
CTR = ev("container", "start", "f00ba4", name="web", image="busybox:1")


@pytest.mark.parametrize(("filters", "img", "ctr"), [
    ({}, True, True),
    ({"type": ["image"]}, True, False),
    ({"event": ["tag", "start"]}, True, True),
    ({"event": ["untag"]}, False, False),
    ({"image": ["busybox"]}, True, True),
    ({"image": ["busybox:latest"]}, True, False),
    ({"image": ["sha256:abc"]}, True, False),
    ({"container": ["web"]}, False, True),
    ({"container": ["f00"]}, False, True),
    ({"label": ["maintainer=me"]}, True, False),
    ({"label": ["maintainer"]}, True, False),
    ({"label": ["maintainer=you"]}, False, False),
    ({"type": ["image"], "event": ["start"]}, False, False),
    ({"scope": ["swarm"]}, False, False),
])
def test_include(filters: dict, img: bool, ctr: bool) -> None:
    assert ef.include(filters, IMG) is img
    assert ef.include(filters, CTR) is ctr


def test_fuzzy_event_names() -> None:
    health = ev("container", "health_status: healthy", "c1")
    assert ef.include({"event": ["health_status"]}, health)
    assert not ef.include({"event": ["health"]}, health)


def test_parse_time() -> None:
    assert ef.parse_time("", "since") is None
    assert ef.parse_time("12", "since") == 12 * 10**9
    assert ef.parse_time("12.5", "since") == 12 * 10**9 + 500_000_000
    assert ef.parse_time("1970-01-01T00:00:10Z", "until") == 10 * 10**9
    with pytest.raises(errdefs.InvalidArgument, match="since"):
        ef.parse_time("yesterday", "since")


async def test_replay_window_and_filters(client, fakes) -> None:
    fakes.events.ring = [ev("image", "tag", "a", 5 * 10**9), ev("image", "untag", "b", 7 * 10**9),
                         ev("image", "tag", "c", 9 * 10**9)]
    resp = await client.get("/events?since=6&until=10")
    assert [e["Actor"]["ID"] for e in map(json.loads, (await resp.read()).splitlines())] == \
        ["b", "c"]
    resp = await client.get('/events?since=1&until=10&filters={"event":{"tag":true}}')
    assert [json.loads(x)["Actor"]["ID"] for x in (await resp.read()).splitlines()] == ["a", "c"]
    assert fakes.events.subs == []


async def test_no_bounds_means_live_only(client, fakes) -> None:
    fakes.events.ring = [ev("image", "tag", "old", 1)]
    resp = await client.get("/events")
    assert resp.status == 200  # headers arrive before any event
    sub = fakes.events.subs[0]
    sub.queue.put_nowait(ev("image", "tag", "skipped", time.time_ns()))
    sub.queue.put_nowait(ev("image", "untag", "new", time.time_ns()))
    line1 = json.loads(await resp.content.readline())
    line2 = json.loads(await resp.content.readline())
    assert [line1["Actor"]["ID"], line2["Actor"]["ID"]] == ["skipped", "new"]
    resp.close()
    for _ in range(200):
        if not fakes.events.subs:
            break
        await asyncio.sleep(0.01)
    assert fakes.events.subs == []


async def test_until_in_future_ends_stream(client, fakes) -> None:
    until = time.time() + 0.3
    resp = await client.get(f"/events?until={until:.9f}")
    fakes.events.subs[0].queue.put_nowait(ev("image", "tag", "live", time.time_ns()))
    events = [json.loads(x) for x in (await resp.read()).splitlines()]
    assert [e["Actor"]["ID"] for e in events] == ["live"]


@pytest.mark.parametrize("query", ["since=10&until=5", "since=abc", 'filters={"bogus":["x"]}',
                                   "filters=nope"])
async def test_bad_queries_are_400(client, fakes, query: str) -> None:
    resp = await client.get("/events?" + query)
    assert resp.status == 400
    assert fakes.events.subs == []
