"""The network backends the ``/networks`` routes call (``berth.network`` implements them).

Two objects, as the daemon has them: the network service (networks themselves: list,
create, inspect, remove, prune) and the container side (``connect``/``disconnect`` need
the container's record and, when it runs, its namespace). Both are blocking and called
from the API's thread pool. Refs are what the client sent (full id, unique id prefix or
name); the backends resolve them and raise ``berth.errdefs`` with docker's messages
(NotFound ``network x not found``, Conflict ``network with name x already exists`` or
``error while removing network: network x id … has active endpoints``, Forbidden-ish
PermissionDenied for predefined networks). Dicts are Engine API shapes.
"""

from __future__ import annotations

from typing import Any, Protocol

JSON = dict[str, Any]
Filters = dict[str, list[str]]


class NetworkBackend(Protocol):
    """``berth.network.NetworkService`` as the API sees it."""

    def list_networks(self, filters: Filters) -> list[JSON]: ...
    def inspect_network(self, ref: str, verbose: bool = False) -> JSON: ...
    def create_network(self, body: JSON) -> JSON: ...
    def remove_network(self, ref: str) -> None: ...
    def prune_networks(self, filters: Filters) -> list[str]: ...


class NetworkAttachBackend(Protocol):
    """``berth.containers.netglue.ContainerNetworks``: a container joins or leaves."""

    def connect(self, network_ref: str, container_ref: str, endpoint_config: JSON) -> None: ...
    def disconnect(self, network_ref: str, container_ref: str, force: bool) -> None: ...
