"""The Docker plugin protocol's transport: HTTP/1.1 POST of JSON, one call a connection.

Requests carry ``Accept: application/vnd.docker.plugins.v1.2+json``. A non-200 answer
is an error ``<Method>: <Err>`` (the body's ``Err``, else the body), a 200 answer with a
non-empty ``Err`` is an error with that text (docker's pkg/plugins and volume proxy).
Connection failures raise ``PluginUnavailable``. No retry loop: dockerd retries for
30 s, which turns one dead plugin into a 30-second ``volume ls``.
"""

from __future__ import annotations

import http.client
import json
import socket
from typing import Any

from berth.errdefs import BerthError, Unavailable

from .plugin_discovery import Address

MIMETYPE = "application/vnd.docker.plugins.v1.2+json"


class PluginError(BerthError):
    """The plugin answered with an error."""

    def __init__(self, message: str, status: int = 200) -> None:
        super().__init__(message)
        self.status = status


class PluginUnavailable(Unavailable):
    """The plugin could not be reached."""


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float) -> None:
        super().__init__("plugin", timeout=timeout)
        self._path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self._path)
        except OSError:
            sock.close()
            raise
        self.sock = sock


class PluginClient:
    def __init__(self, addr: Address, timeout: float = 60.0) -> None:
        self.addr = addr
        self.timeout = timeout

    def _connection(self) -> http.client.HTTPConnection:
        if self.addr.unix:
            return _UnixConnection(self.addr.unix, self.timeout)
        return http.client.HTTPConnection(self.addr.host, self.addr.port, timeout=self.timeout)

    def call(self, method: str, args: dict[str, Any] | None) -> dict[str, Any]:
        """POST ``/<method>``; the decoded answer, or PluginError/PluginUnavailable."""
        body = b"" if args is None else json.dumps(args).encode() + b"\n"
        conn = self._connection()
        try:
            conn.request("POST", "/" + method, body=body,
                         headers={"Accept": MIMETYPE, "Content-Type": MIMETYPE})
            resp = conn.getresponse()
            data = resp.read()
        except (OSError, http.client.HTTPException) as e:
            where = self.addr.unix or f"{self.addr.host}:{self.addr.port}"
            raise PluginUnavailable(f"{method}: cannot reach plugin at {where}: "
                                    f"{getattr(e, 'strerror', None) or e}") from None
        finally:
            conn.close()
        doc = _decode(data)
        err = doc.get("Err") if isinstance(doc, dict) else None
        if resp.status != 200:
            text = err if isinstance(err, str) and err else data.decode(errors="replace")
            raise PluginError(f"{method}: {text.strip()}", resp.status)
        if isinstance(err, str) and err:
            raise PluginError(err)
        if not isinstance(doc, dict):
            raise PluginError(f"{method}: the plugin's answer is not a JSON object")
        return doc


def _decode(data: bytes) -> Any:
    if not data.strip():
        return {}
    try:
        return json.loads(data)
    except ValueError:
        return None
