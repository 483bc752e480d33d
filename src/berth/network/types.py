"""The data the network service trades in, and the seam for drivers (bridge now; an
overlay driver later plugs in through ``NetworkDriver``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

DOCKER_POOLS = ([{"base": f"172.{n}.0.0/16", "size": 16} for n in range(17, 32)]
                + [{"base": "192.168.0.0/16", "size": 20}])


@dataclass
class NetworkConfig:
    """daemon.json's network settings (``bip``, ``mtu``, ``default-address-pools``…).
    ``host_netns``: the namespace that plays "the host" (None: berthd's own; tests run a
    whole stack inside a throwaway one)."""

    default_bridge: str = "berth0"
    default_subnet: str | None = None  # daemon.json "bip" as gateway/prefix, or a subnet
    default_address_pools: list[dict[str, Any]] = field(
        default_factory=lambda: list(DOCKER_POOLS))
    mtu: int = 1500
    icc: bool = True
    ip_masq: bool = True
    userland_proxy: bool = False
    nft: str = "nft"
    netns_root: str | None = None
    host_netns: str | None = None


@dataclass
class EndpointSpec:
    name: str = ""
    aliases: list[str] = field(default_factory=list)
    ipv4: str = ""
    ipv6: str = ""
    mac: str = ""
    hostname: str = ""
    links: list[str] = field(default_factory=list)
    driver_opts: dict[str, str] = field(default_factory=dict)


@dataclass
class Endpoint:
    id: str
    network_id: str
    network_name: str
    cid: str
    ifname: str
    mac: str = ""
    ipv4: str = ""
    prefixlen: int = 0
    gateway: str = ""
    ipv6: str = ""
    prefixlen6: int = 0
    gateway6: str = ""
    aliases: list[str] = field(default_factory=list)
    dns_names: list[str] = field(default_factory=list)
    host_veth: str = ""
    netns: str = ""
    ipam_config: dict[str, str] | None = None
    driver_opts: dict[str, str] | None = None
    links: dict[str, str] | None = None  # user networks: --link alias → container name

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> Endpoint:
        return cls(**{k: v for k, v in doc.items() if k in cls.__dataclass_fields__})


class NetworkDriver(Protocol):
    """What a driver does in the kernel for its networks; the service keeps the records,
    addresses and rules. Every method is idempotent (recovery calls them again)."""

    name: str

    def setup(self, net: dict[str, Any]) -> None:
        """Make the network's shared kernel objects (a bridge, a VXLAN…)."""

    def teardown(self, net: dict[str, Any]) -> None:
        """Remove what ``setup`` made."""

    def attach(self, net: dict[str, Any], ep: Endpoint, netns: str) -> None:
        """Plug the endpoint into the namespace: link, MAC, addresses, routes, up."""

    def detach(self, net: dict[str, Any], ep: Endpoint) -> None:
        """Unplug the endpoint (the namespace may already be gone)."""
