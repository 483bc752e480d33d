"""``GET /events``: replay of the daemon's ring (when ``since``/``until`` is given), then
live events until ``until`` passes or the client goes away.

Headers go out at once (the CLI waits for them before printing anything); one JSON
object per line follows.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from berth import errdefs

from .. import eventfilter as ef
from ..app import add_route, backends
from ..backends import Subscription
from ..params import Filters, parse_filters, validate_filters
from ..streams import encode_line

POLL_SECONDS = 1.0


def _bounds(request: web.Request) -> tuple[int | None, int | None]:
    since = ef.parse_time(request.query.get("since", ""), "since")
    until = ef.parse_time(request.query.get("until", ""), "until")
    if since is not None and until is not None and since > until:
        raise errdefs.InvalidArgument(
            f"`since` time ({request.query['since']}) cannot be after `until` time "
            f"({request.query['until']})")
    return since, until


async def _live(request: web.Request, resp: web.StreamResponse, sub: Subscription,
                f: Filters, until: int | None) -> None:
    """Forward matching events until ``until`` or disconnect."""
    while True:
        timeout = POLL_SECONDS
        if until is not None:
            left = (until - ef.now_ns()) / 1e9
            if left <= 0:
                return
            timeout = min(timeout, left)
        try:
            ev = await asyncio.wait_for(sub.get(), timeout)
        except TimeoutError:
            if request.transport is None or request.transport.is_closing():
                return
            continue
        if ef.include(f, ev) and ef.in_window(ev, None, until):
            await resp.write(encode_line(ev))


async def get_events(request: web.Request) -> web.StreamResponse:
    since, until = _bounds(request)
    filters = parse_filters(request.query.get("filters"))
    validate_filters(filters, ef.ACCEPTED)
    sub = backends(request).events.subscribe()
    try:
        resp = web.StreamResponse(headers={"Content-Type": "application/json"})
        resp.enable_chunked_encoding()
        await resp.prepare(request)
        if since is not None or until is not None:
            await _replay(resp, sub.backlog, filters, since, until)
        if until is None or until > ef.now_ns():
            await _live(request, resp, sub, filters, until)
        await resp.write_eof()
        return resp
    finally:
        sub.close()


async def _replay(resp: web.StreamResponse, backlog: list[dict[str, Any]], f: Filters,
                  since: int | None, until: int | None) -> None:
    for ev in backlog:
        if ef.in_window(ev, since, until) and ef.include(f, ev):
            await resp.write(encode_line(ev))


def register(app: web.Application) -> None:
    add_route(app, "GET", "/events", get_events)
