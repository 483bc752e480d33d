"""Small helpers shared by route modules."""

from __future__ import annotations

from typing import Any

import msgspec
from aiohttp import web


def json_response(obj: Any, status: int = 200) -> web.Response:
    """JSON body with a trailing newline, as Go's json.Encoder writes it."""
    return web.Response(status=status, body=msgspec.json.encode(obj) + b"\n",
                        content_type="application/json")
