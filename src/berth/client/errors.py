"""Daemon error responses → berth.errdefs exceptions.

The CLI prints daemon errors as ``Error response from daemon: <message>``; other errors
(bad flags, unreadable files, in-band stream errors) print bare.  ``from_daemon`` tells
the two apart, ``status`` keeps the HTTP status for callers that branch on it (``rmi``).
"""

from __future__ import annotations

from berth import errdefs
from berth._util import fastjson

_BY_STATUS: dict[int, type[errdefs.BerthError]] = {
    304: errdefs.NotModified,
    400: errdefs.InvalidArgument,
    403: errdefs.PermissionDenied,
    404: errdefs.NotFound,
    409: errdefs.Conflict,
    501: errdefs.NotImplementedYet,
    503: errdefs.Unavailable,
}


class DaemonError(errdefs.BerthError):
    """Marker base: the daemon answered with an error status."""


_CLASSES: dict[type[errdefs.BerthError], type[errdefs.BerthError]] = {}


def _daemon_class(base: type[errdefs.BerthError]) -> type[errdefs.BerthError]:
    """A subclass of both ``base`` and DaemonError, so ``except NotFound`` still works."""
    cls = _CLASSES.get(base)
    if cls is None:
        cls = type("Daemon" + base.__name__, (base, DaemonError), {})
        _CLASSES[base] = cls
    return cls


def message_from_body(body: bytes, content_type: str) -> str:
    """The daemon's message: ``{"message": …}`` for JSON, else the body text."""
    text = body.decode("utf-8", "replace").strip()
    if "json" in content_type:
        try:
            doc = fastjson.loads(text)
        except ValueError:
            return text
        if isinstance(doc, dict) and isinstance(doc.get("message"), str):
            return str(doc["message"]).strip()  # moby client: TrimSpace
    return text


def from_response(status: int, body: bytes, content_type: str, route: str) -> errdefs.BerthError:
    """Build the exception for an error response."""
    message = message_from_body(body, content_type)
    if not message:
        message = (
            f"request returned {status} for API route and version {route}, "
            "check if the server supports the requested API version"
        )
    base = _BY_STATUS.get(status, errdefs.BerthError)
    exc = _daemon_class(base)(message)
    exc.http_status = status
    return exc


def is_daemon_error(exc: BaseException) -> bool:
    """True when the exception came from a daemon error response."""
    return isinstance(exc, DaemonError)


def connection_failed(host: str) -> errdefs.Unavailable:
    """docker's wording for an unreachable daemon, naming berth."""
    return errdefs.Unavailable(
        f"Cannot connect to the berth daemon at {host}. Is the berth daemon running?"
    )
