from __future__ import annotations

import asyncio
import threading

import pytest

from berth import errdefs
from berth.daemon.events import EventBus, make_event


def test_event_shape() -> None:
    ev = make_event("container", "start", "c1", {"image": "busybox", "name": "web"},
                    now_ns=1_500_000_000)
    assert ev == {"Type": "container", "Action": "start",
                  "Actor": {"ID": "c1", "Attributes": {"image": "busybox", "name": "web"}},
                  "scope": "local", "time": 1, "timeNano": 1_500_000_000,
                  "status": "start", "id": "c1", "from": "busybox"}
    assert "status" not in make_event("network", "create", "n1", None)


async def test_publish_from_threads_reaches_ring_and_subscribers() -> None:
    bus = EventBus(capacity=3)
    bus.bind(asyncio.get_running_loop())
    sub = bus.subscribe()
    assert bus.listeners == 1
    t = threading.Thread(target=lambda: [bus.image_publisher("tag", f"i{n}", {})
                                         for n in range(5)])
    t.start()
    t.join()
    got = [(await asyncio.wait_for(sub.get(), 5))["Actor"]["ID"] for _ in range(5)]
    assert got == ["i0", "i1", "i2", "i3", "i4"]
    later = bus.subscribe()
    assert [e["Actor"]["ID"] for e in later.backlog] == ["i2", "i3", "i4"]
    sub.close()
    later.close()
    assert bus.listeners == 0


async def test_slow_subscriber_is_dropped() -> None:
    bus = EventBus(queue_limit=2)
    bus.bind(asyncio.get_running_loop())
    sub = bus.subscribe()
    for n in range(3):
        bus.publish("image", "tag", str(n))
    assert bus.listeners == 0
    with pytest.raises(errdefs.Unavailable):
        await sub.get()


async def test_close_ends_listeners() -> None:
    bus = EventBus()
    bus.bind(asyncio.get_running_loop())
    sub = bus.subscribe()
    bus.close()
    with pytest.raises(errdefs.Unavailable):
        await sub.get()
