"""One error taxonomy for all of berth (DESIGN.md §4.7).

Every layer raises these (or subclasses); only the API layer maps them to HTTP status
codes, and only the CLI maps them to exit codes. Messages name the object they are
about: ``container 3f2a…: cannot pause in state created``.
"""

from __future__ import annotations


class BerthError(Exception):
    """Base of every error berth raises on purpose."""

    http_status = 500

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else type(self).__name__


class NotFound(BerthError):
    """The named object does not exist (HTTP 404)."""

    http_status = 404


class Conflict(BerthError):
    """The object exists or is in a state that forbids the request (HTTP 409)."""

    http_status = 409


class InvalidArgument(BerthError):
    """The request itself is malformed or names something impossible (HTTP 400)."""

    http_status = 400


class FailedPrecondition(BerthError):
    """The system is not in a state where this can run, e.g. no overlay support (HTTP 412
    in gRPC terms; moby answers such cases with 409 or 500 — we use 409)."""

    http_status = 409


class Unavailable(BerthError):
    """A dependency is down or busy; retrying may help (HTTP 503)."""

    http_status = 503


class PermissionDenied(BerthError):
    """The caller may not do this (HTTP 403)."""

    http_status = 403


class NotImplementedYet(BerthError):
    """berth does not do this yet; the message says what and where to look (HTTP 501)."""

    http_status = 501


class NotModified(BerthError):
    """The request changed nothing, e.g. starting a running container (HTTP 304)."""

    http_status = 304


class DataLoss(BerthError):
    """Stored data failed verification (digest or size mismatch) (HTTP 500)."""

    http_status = 500


def http_status(exc: BaseException) -> int:
    """HTTP status for any exception: taxonomy errors carry theirs, the rest are 500."""
    return exc.http_status if isinstance(exc, BerthError) else 500
