"""Which daemon to talk to, and how to reach it.

Order of precedence follows the docker CLI: ``-H/--host``, then ``BERTH_HOST``, then
``DOCKER_HOST``, else berthd's default socket.  Addresses are ``unix:///path`` or
``tcp://host:port`` (``http://`` is accepted as an alias for tcp).
"""

from __future__ import annotations

import os

from berth.errdefs import InvalidArgument

TYPE_CHECKING = False  # typing, collections.abc and json stay off the CLI's start-up
if TYPE_CHECKING:
    from collections.abc import Mapping

DEFAULT_HOST = "unix:///run/berth/berth.sock"
DEFAULT_TCP_PORT = 2375


class Endpoint(tuple[str, str, str, int]):
    """A parsed daemon address ``(scheme, path, host, port)``: ``scheme`` is ``unix`` or
    ``tcp``. A tuple written out by hand: ``NamedTuple`` lives in ``typing`` and
    ``namedtuple`` in ``collections``, imports the CLI skips at start-up."""

    __slots__ = ()

    def __new__(cls, scheme: str, path: str = "", host: str = "", port: int = 0) -> Endpoint:
        return super().__new__(cls, (scheme, path, host, port))

    @property
    def scheme(self) -> str:
        return self[0]

    @property
    def path(self) -> str:
        return self[1]

    @property
    def host(self) -> str:
        return self[2]

    @property
    def port(self) -> int:
        return self[3]

    def __repr__(self) -> str:
        return f"Endpoint(scheme={self[0]!r}, path={self[1]!r}, host={self[2]!r}, " \
               f"port={self[3]!r})"

    def __str__(self) -> str:
        if self.scheme == "unix":
            return f"unix://{self.path}"
        return f"tcp://{self.host}:{self.port}"


def resolve_host(flag: str | None, env: Mapping[str, str] | None = None) -> str:
    """The daemon address to use: flag, then BERTH_HOST, then DOCKER_HOST, then default."""
    env = os.environ if env is None else env
    for candidate in (flag, env.get("BERTH_HOST"), env.get("DOCKER_HOST")):
        if candidate:
            return candidate
    return DEFAULT_HOST


def parse_host(address: str) -> Endpoint:
    """Parse ``unix://``/``tcp://`` addresses; a bare path means a unix socket."""
    address = address.strip()
    if address.startswith("/"):
        return Endpoint("unix", path=address)
    if "://" not in address:
        raise InvalidArgument(f"unable to parse docker host `{address}`")
    scheme, _, rest = address.partition("://")
    if scheme == "unix":
        if not rest:
            raise InvalidArgument(f"unable to parse docker host `{address}`")
        return Endpoint("unix", path=rest)
    if scheme in ("tcp", "http"):
        return _parse_tcp(address)
    raise InvalidArgument(f"unable to parse docker host `{address}`")


def _parse_tcp(address: str) -> Endpoint:
    """``tcp://host[:port]``; the port defaults to 2375 like docker's."""
    from urllib.parse import urlsplit  # tcp only: not worth its import for unix sockets

    parts = urlsplit("tcp://" + address.partition("://")[2])
    try:
        port = parts.port or DEFAULT_TCP_PORT
    except ValueError as exc:
        raise InvalidArgument(f"unable to parse docker host `{address}`") from exc
    host = parts.hostname or "localhost"
    return Endpoint("tcp", host=host, port=port)
