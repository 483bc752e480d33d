"""Embedded DNS (docker's 127.0.0.11) for containers on user-defined networks.

``core`` decides (sans-IO), ``forward`` asks upstream servers, ``server`` runs the
listeners on an event loop, ``names`` is the name table over the network endpoints,
``upstream`` parses server addresses. docs/design/network.md, "Embedded DNS".
"""

from .names import make_lookup, make_reverse
from .server import EmbeddedDNS
from .upstream import host_upstreams, parse_server

__all__ = ["EmbeddedDNS", "host_upstreams", "make_lookup", "make_reverse", "parse_server"]
