"""The daemon's event bus: publish → bounded ring (for ``since`` replay) → subscribers.

Services publish from any thread; every event is committed on the event loop, so the
ring and the subscriber set change only there and ``subscribe`` (ring snapshot plus
registration) is atomic: a client sees each event once, from the backlog or live.
A subscriber that falls ``queue_limit`` events behind is cut off rather than letting
memory grow; its stream ends with an error.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections import deque
from typing import Any

from berth import errdefs

Event = dict[str, Any]


def make_event(type_: str, action: str, actor_id: str, attributes: dict[str, str] | None,
               scope: str = "local", now_ns: int | None = None) -> Event:
    """An Engine API event message, with moby's deprecated fields for containers/images."""
    ns = time.time_ns() if now_ns is None else now_ns
    attrs = dict(attributes or {})
    ev: Event = {"Type": type_, "Action": action,
                 "Actor": {"ID": actor_id, "Attributes": attrs},
                 "scope": scope, "time": ns // 1_000_000_000, "timeNano": ns}
    if type_ in ("container", "image"):
        ev["status"], ev["id"] = action, actor_id
        if type_ == "container" and attrs.get("image"):
            ev["from"] = attrs["image"]
    return ev


class Subscription:
    """One listener: the ring as it was at subscription, then live events."""

    def __init__(self, bus: EventBus, backlog: list[Event], limit: int) -> None:
        self.backlog = backlog
        self._bus = bus
        self._queue: asyncio.Queue[Event | None] = asyncio.Queue(limit)
        self._overflowed = False

    def _offer(self, ev: Event) -> None:
        try:
            self._queue.put_nowait(ev)
        except asyncio.QueueFull:
            self._overflowed = True
            self._bus._drop(self)

    async def get(self) -> Event:
        if self._overflowed:
            raise errdefs.Unavailable("event listener fell too far behind and was dropped")
        ev = await self._queue.get()
        if ev is None:
            raise errdefs.Unavailable("event bus closed")
        return ev

    def close(self) -> None:
        self._bus._drop(self)


class EventBus:
    """Thread-safe publish; loop-side subscribe. ``bind`` before publishing from threads."""

    def __init__(self, capacity: int = 1024, queue_limit: int = 4096) -> None:
        self._ring: deque[Event] = deque(maxlen=capacity)
        self._subs: set[Subscription] = set()
        self._queue_limit = queue_limit
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._loop_thread = threading.get_ident()

    def publish(self, type_: str, action: str, actor_id: str,
                attributes: dict[str, str] | None = None, scope: str = "local") -> Event:
        """Record an event now; delivery happens on the loop (at once if we are on it)."""
        ev = make_event(type_, action, actor_id, attributes, scope)
        if self._loop is None or threading.get_ident() == self._loop_thread:
            self._commit(ev)
        elif not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._commit, ev)
        return ev

    def image_publisher(self, action: str, actor_id: str, attributes: dict[str, str]) -> None:
        """The ``publish(action, id, attrs)`` callback the image service takes."""
        self.publish("image", action, actor_id, attributes)

    def _commit(self, ev: Event) -> None:
        self._ring.append(ev)
        for sub in list(self._subs):
            sub._offer(ev)

    def subscribe(self) -> Subscription:
        sub = Subscription(self, list(self._ring), self._queue_limit)
        self._subs.add(sub)
        return sub

    def _drop(self, sub: Subscription) -> None:
        self._subs.discard(sub)

    @property
    def listeners(self) -> int:
        return len(self._subs)

    def close(self) -> None:
        """Wake every listener with the end of the stream."""
        for sub in list(self._subs):
            with contextlib.suppress(asyncio.QueueFull):
                sub._queue.put_nowait(None)
        self._subs.clear()
