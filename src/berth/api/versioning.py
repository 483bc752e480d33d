"""Engine API version negotiation, as moby's version middleware does it.

A request path may carry ``/vX.Y``; without it the server default applies. Versions
below the minimum or above the maximum get moby's exact 400 messages. Every response,
errors included, carries ``Server``, ``Api-Version`` and ``Ostype``; handlers read the
negotiated version from ``request[API_VERSION]``.
"""

from __future__ import annotations

import platform

from aiohttp import web

import berth
from berth import errdefs

DEFAULT_VERSION = "1.44"
MIN_VERSION = "1.24"
API_VERSION = web.RequestKey("api_version", str)


def server_header() -> str:
    """``Berth/<version> (linux)``: the shape of dockerd's ``Docker/<version> (linux)``."""
    return f"Berth/{berth.__version__} ({platform.system().lower()})"


def version_tuple(v: str) -> tuple[int, ...]:
    """Numeric comparison key; like moby's ``versions.compare``, junk parts count as 0."""
    parts = []
    for p in v.split("."):
        parts.append(int(p) if p.isdigit() else 0)
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def less_than(a: str, b: str) -> bool:
    return version_tuple(a) < version_tuple(b)


def check_version(requested: str, *, minimum: str = MIN_VERSION,
                  maximum: str = DEFAULT_VERSION) -> str:
    """The version a request runs at, or InvalidArgument with moby's message."""
    if less_than(requested, minimum):
        raise errdefs.InvalidArgument(
            f"client version {requested} is too old. Minimum supported API version is "
            f"{minimum}, please upgrade your client to a newer version")
    if less_than(maximum, requested):
        raise errdefs.InvalidArgument(
            f"client version {requested} is too new. Maximum supported API version is "
            f"{maximum}")
    return requested


def common_headers() -> dict[str, str]:
    return {"Server": server_header(), "Api-Version": DEFAULT_VERSION, "Ostype": "linux"}


def negotiate(request: web.Request) -> str:
    """Store and return the version this request speaks (path prefix or default)."""
    requested = request.match_info.get("version")
    version = check_version(requested) if requested else DEFAULT_VERSION
    request[API_VERSION] = version
    return version


def request_version(request: web.Request) -> str:
    """The negotiated version (the default when the middleware did not run)."""
    return request.get(API_VERSION, DEFAULT_VERSION)
