"""docker's ``network.EndpointSettings`` JSON as the CLI sends it (Go struct order).

Shared by ``network connect`` and ``run``/``create`` (``NetworkingConfig``), so both
send the same shape as docker CLI 28: ``IPAMConfig`` always an object for connect, null
for run when no address was asked for.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def endpoint_settings(ipam: dict[str, Any] | None = None, links: list[str] | None = None,
                      aliases: list[str] | None = None, mac: str = "",
                      driver_opts: dict[str, str] | None = None,
                      gw_priority: int = 0) -> dict[str, Any]:
    return {"IPAMConfig": ipam, "Links": links, "Aliases": aliases, "MacAddress": mac,
            "DriverOpts": driver_opts, "GwPriority": gw_priority, "NetworkID": "",
            "EndpointID": "", "Gateway": "", "IPAddress": "", "IPPrefixLen": 0,
            "IPv6Gateway": "", "GlobalIPv6Address": "", "GlobalIPv6PrefixLen": 0,
            "DNSNames": None}
