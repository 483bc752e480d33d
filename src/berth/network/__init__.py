"""Container networking on one host (issue 5; docs/design/network.md): bridges, veths and
namespaces over netlink, addresses from a persistent IPAM, nftables NAT and isolation."""

from __future__ import annotations

from .service import NetworkService
from .types import Endpoint, EndpointSpec, NetworkConfig, NetworkDriver

__all__ = ["Endpoint", "EndpointSpec", "NetworkConfig", "NetworkDriver", "NetworkService"]
