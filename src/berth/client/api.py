"""The Engine API client core: one keep-alive connection, version negotiation, errors.

Negotiation copies the docker CLI: ``HEAD /_ping`` (``GET`` when HEAD fails), read
``Api-Version`` (absent → 1.24) and talk ``/v{min(server, 1.44)}``.  ``BERTH_API_VERSION``
or ``DOCKER_API_VERSION`` pins the version and skips negotiation.
"""

from __future__ import annotations

import os

from berth._util import fastjson
from berth.client import errors, transport
from berth.client.hosts import DEFAULT_HOST, parse_host

TYPE_CHECKING = False  # typing and collections.abc stay off the CLI's start-up
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from typing import IO, Any

    Body = bytes | IO[bytes] | Iterable[bytes] | None

CLIENT_API_VERSION = "1.44"
FALLBACK_API_VERSION = "1.24"
USER_AGENT = "berth-cli/0.1.0"


def _version_tuple(v: str) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in v.split("."))
    except ValueError:
        return (0,)


def negotiated(server: str | None) -> str:
    """The version both sides speak: the lower of the server's and ours."""
    if not server:
        return FALLBACK_API_VERSION
    if _version_tuple(server) < _version_tuple(CLIENT_API_VERSION):
        return server
    return CLIENT_API_VERSION


class Client:
    """A synchronous Engine API client; methods raise berth.errdefs exceptions."""

    def __init__(self, host: str = DEFAULT_HOST, timeout: float | None = None) -> None:
        self.host = host
        self.endpoint = parse_host(host)
        self.timeout = timeout
        pinned = os.environ.get("BERTH_API_VERSION") or os.environ.get("DOCKER_API_VERSION")
        self.api_version: str | None = pinned or None
        self.ping_headers: dict[str, str] = {}
        self._conn: transport.Connection | None = None

    # -- connection ---------------------------------------------------------------------
    def _connection(self) -> transport.Connection:
        if self._conn is None:
            self._conn = transport.connect(self.endpoint, self.timeout)
        return self._conn

    def close(self) -> None:
        """Drop the connection; the next request opens a new one."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _send(
        self, method: str, url: str, body: Body, headers: Mapping[str, str]
    ) -> transport.Response:
        """One request/response exchange; connection failures become Unavailable."""
        hdrs = {"User-Agent": USER_AGENT, **headers}
        for attempt in (0, 1):
            conn = self._connection()
            try:
                return conn.request(method, url, body, hdrs)
            except (ConnectionRefusedError, FileNotFoundError, PermissionError) as exc:
                self.close()
                raise errors.connection_failed(self.host) from exc
            except (BrokenPipeError, ConnectionResetError):
                self.close()  # stale keep-alive connection: retry once on a fresh one
                if attempt or not isinstance(body, bytes | None):
                    raise
        raise AssertionError("unreachable")

    # -- negotiation --------------------------------------------------------------------
    def ping(self) -> dict[str, str]:
        """``HEAD /_ping`` (then ``GET``); returns the response headers."""
        resp = self._send("HEAD", "/_ping", None, {})
        resp.read()
        if resp.status not in (200, 500):
            resp = self._send("GET", "/_ping", None, {})
            resp.read()
        self.ping_headers = {k.lower(): v for k, v in resp.getheaders()}
        return self.ping_headers

    def version(self) -> str:
        """The negotiated API version (pings once)."""
        if self.api_version is None:
            self.api_version = negotiated(self.ping().get("api-version"))
        return self.api_version

    # -- requests -----------------------------------------------------------------------
    def url(self, path: str, query: Mapping[str, Any] | None = None) -> str:
        """``/vX.Y`` + path + encoded query (None values dropped)."""
        url = f"/v{self.version()}{path}"
        if query:
            # Go's url.Values.Encode sorts keys; the daemon doesn't care, traces do.
            items = [(k, v) for k, v in query.items() if v is not None]
            if isinstance(query, dict) and type(query) is dict:
                items.sort()  # a plain dict; ordered pair lists keep their order
            if items:
                url += "?" + "&".join(f"{escape(str(k), plus=True)}="
                                      f"{escape(str(v), plus=True)}" for k, v in items)
        return url

    def request(
        self,
        method: str,
        path: str,
        query: Mapping[str, Any] | None = None,
        *,
        body: Body = None,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> transport.Response:
        """Send a request; a 4xx/5xx answer raises. The caller reads the response."""
        hdrs = dict(headers or {})
        if json_body is not None:
            body = go_json(json_body)
            hdrs["Content-Type"] = "application/json"
        url = self.url(path, query)
        resp = self._send(method, url, body, hdrs)
        if resp.status >= 400:
            data = resp.read()
            raise errors.from_response(
                resp.status, data, resp.getheader("Content-Type", "") or "", url
            )
        return resp

    def open_stream(
        self,
        method: str,
        path: str,
        query: Mapping[str, Any] | None = None,
        *,
        json_body: Any = None,
        upgrade: bool = False,
    ) -> transport.Response:
        """A request on its own new connection, which the response then owns.

        Used for answers that stay open while other requests go on (``wait`` before
        ``start``, attach/exec hijacks, followed logs).  ``upgrade`` asks for docker's
        connection hijack (``Upgrade: tcp``): after ``101`` the socket is raw both ways
        (``resp.conn.sock`` to write, ``resp.read1`` to read what is already buffered).
        """
        url = self.url(path, query)
        hdrs = {"User-Agent": USER_AGENT}
        body: bytes | None = None
        if json_body is not None:
            body = go_json(json_body)
            hdrs["Content-Type"] = "application/json"
        if upgrade:
            hdrs.update({"Connection": "Upgrade", "Upgrade": "tcp"})
        conn = transport.connect(self.endpoint, self.timeout)
        try:
            resp = conn.request(method, url, body, hdrs)
        except (ConnectionRefusedError, FileNotFoundError, PermissionError) as exc:
            conn.close()
            raise errors.connection_failed(self.host) from exc
        if resp.status >= 400:
            data = resp.read()
            conn.close()
            raise errors.from_response(resp.status, data, resp.getheader("Content-Type", "") or "",
                                       url)
        if upgrade or resp.status == 101:
            resp.upgrade()
        return resp

    def get_json(self, path: str, query: Mapping[str, Any] | None = None) -> Any:
        """GET and decode a JSON answer."""
        return _decode(self.request("GET", path, query).read())

    def get_raw(self, path: str, query: Mapping[str, Any] | None = None) -> bytes:
        """GET and return the raw body (inspect keeps the daemon's bytes)."""
        return self.request("GET", path, query).read()

    def call_json(self, method: str, path: str, query: Mapping[str, Any] | None = None) -> Any:
        """Any method, JSON answer (or None for an empty body)."""
        return _decode(self.request(method, path, query).read())


def _decode(data: bytes) -> Any:
    return fastjson.loads(data) if data.strip() else None


def go_json(value: Any) -> bytes:
    """JSON as Go's encoding/json writes it (compact; ``<>&`` and U+2028/9 escaped), so
    request bodies are byte-identical to the docker CLI's."""
    text = fastjson.dumps_compact(value)
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                    ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text.encode() + b"\n"


def filters_param(filters: Mapping[str, Iterable[str]] | None) -> str | None:
    """Encode filters the way the docker CLI does: ``{"key":{"value":true}}``."""
    if not filters:
        return None
    return fastjson.dumps_compact({k: {v: True for v in vals} for k, vals in filters.items()},
                                   ensure_ascii=True)


def path_name(name: str) -> str:
    """Quote an object name for a URL path; ``/`` stays (image names contain it)."""
    return escape(name, safe=b"/:@")


_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~")


def escape(text: str, safe: bytes = b"", plus: bool = False) -> str:
    """Percent-encoding as ``urllib.parse.quote`` (``plus``: as ``quote_plus``), written
    out because importing ``urllib.parse`` (with ``ipaddress``) costs the CLI ~2.5 ms."""
    out = []
    for b in text.encode():
        if b in _UNRESERVED or b in safe:
            out.append(chr(b))
        elif plus and b == 0x20:
            out.append("+")
        else:
            out.append(f"%{b:02X}")
    return "".join(out)
