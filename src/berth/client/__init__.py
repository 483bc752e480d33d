"""berth.client: a small synchronous Engine API client (http.client over unix/tcp).

Usage::

    c = APIClient(resolve_host(None))
    c.images.list(all=True)

Errors are berth.errdefs exceptions; daemon answers are also ``DaemonError``.
"""

from __future__ import annotations

from berth.client.api import CLIENT_API_VERSION, Client, negotiated
from berth.client.containers import ContainersAPI
from berth.client.errors import DaemonError, is_daemon_error
from berth.client.hosts import DEFAULT_HOST, Endpoint, parse_host, resolve_host
from berth.client.images import ImagesAPI
from berth.client.networks import NetworksAPI
from berth.client.streams import StreamError, iter_json_messages, message_error
from berth.client.system import SystemAPI
from berth.client.volumes import VolumesAPI


class APIClient(Client):
    """Client with the endpoint groups attached."""

    def __init__(self, host: str = DEFAULT_HOST, timeout: float | None = None) -> None:
        super().__init__(host, timeout)
        self.images = ImagesAPI(self)
        self.system = SystemAPI(self)
        self.containers = ContainersAPI(self)
        self.volumes = VolumesAPI(self)
        self.networks = NetworksAPI(self)


__all__ = [
    "CLIENT_API_VERSION",
    "DEFAULT_HOST",
    "APIClient",
    "Client",
    "DaemonError",
    "Endpoint",
    "StreamError",
    "is_daemon_error",
    "iter_json_messages",
    "message_error",
    "negotiated",
    "parse_host",
    "resolve_host",
]
