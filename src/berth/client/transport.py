"""http.client connections to a unix socket or a TCP port.

http.client keeps CLI start-up cheap (no httpx/ssl import on the common path) and gives
us chunked request bodies and streamed responses for free.
"""

from __future__ import annotations

import http.client
import socket

from berth.client.hosts import Endpoint


class UnixHTTPConnection(http.client.HTTPConnection):
    """An HTTPConnection whose socket is a unix stream socket."""

    def __init__(self, path: str, timeout: float | None = None) -> None:
        super().__init__("localhost", timeout=timeout)
        self.socket_path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        if self.timeout is not None:
            sock.settimeout(self.timeout)
        try:
            sock.connect(self.socket_path)
        except OSError:
            sock.close()
            raise
        self.sock = sock


def connect(endpoint: Endpoint, timeout: float | None = None) -> http.client.HTTPConnection:
    """A fresh (not yet connected) HTTP connection to the endpoint."""
    if endpoint.scheme == "unix":
        return UnixHTTPConnection(endpoint.path, timeout=timeout)
    return http.client.HTTPConnection(endpoint.host, endpoint.port, timeout=timeout)
