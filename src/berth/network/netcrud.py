"""The Engine API's /networks side: create, list, inspect, remove, prune."""

from __future__ import annotations

import ipaddress
import secrets
from typing import Any

from berth import errdefs

from . import ipam, netdocs
from .bridge import OPT_NAME
from .core import Core, log


class NetworkCrud(Core):
    def create_network(self, body: dict[str, Any]) -> dict[str, Any]:
        """POST /networks/create → {"Id", "Warning"}; nothing is left on error."""
        name, driver, opts = netdocs.check_body(body)
        with self.lock:
            nets = self.store.networks()
            if any(n["Name"] == name for n in nets):
                raise errdefs.Conflict(f"network with name {name} already exists")
            raw = (body.get("IPAM") or {}).get("Config") or []
            user = ipam.check_configs(list(raw), [ipaddress.ip_network(c["Subnet"])
                                                 for n in nets for c in n["IPAM"]["Config"]])
            v6 = bool(body.get("EnableIPv6"))
            cfgs = list(user)
            if not any(ipaddress.ip_network(c["Subnet"]).version == 4 for c in cfgs):
                sub = ipam.auto_subnet(self.config.default_address_pools,
                                       self.taken_subnets(), 4)
                cfgs.insert(0, {"Subnet": str(sub), "Gateway": str(ipam.first_host(sub))})
            if v6 and not any(ipaddress.ip_network(c["Subnet"]).version == 6 for c in cfgs):
                sub = ipam.auto_subnet(_ula_pools(), self.taken_subnets(), 6)
                cfgs.append({"Subnet": str(sub), "Gateway": str(ipam.first_host(sub))})
            nid = netdocs.new_id()
            bridge = opts.get(OPT_NAME) or f"br-{nid[:12]}"
            if any(n.get("_bridge") == bridge for n in nets):
                raise errdefs.Conflict(f"bridge name {bridge} is already in use")
            rec = netdocs.record(name, driver, nid=nid, ipam=cfgs, ipv6=v6,
                                 internal=bool(body.get("Internal")),
                                 attachable=bool(body.get("Attachable")), options=opts,
                                 labels=body.get("Labels") or {}, bridge=bridge)
            rec["IPAM"]["Options"] = (body.get("IPAM") or {}).get("Options") or {}
            with self.store.tx() as db:
                self.store.put_network(db, rec)
                for c in cfgs:
                    ipam.reserve_static(db, nid, c)
            try:
                self.ensure_ready(rec)
                self.forward_on()
                self.sync_rules()
            except BaseException:
                self._drop_network(rec)
                raise
        self.publish_event("network", "create", nid, {"name": name, "type": driver})
        return {"Id": nid, "Warning": ""}

    def list_networks(self, filters: dict[str, list[str]] | None = None) -> list[dict[str, Any]]:
        filters = filters or {}
        out = []
        for n in self.store.networks():
            eps = self.store.endpoints(nid=n["Id"])
            if netdocs.matches(n, filters, dangling=not eps):
                out.append(netdocs.view(n, {}))
        return out

    def inspect_network(self, ref: str, verbose: bool = False) -> dict[str, Any]:
        net = self.resolve(ref)
        return netdocs.view(net, self._containers(net))

    def _containers(self, net: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for ep in self.store.endpoints(nid=net["Id"]):
            out[ep["cid"]] = {
                "Name": ep.get("name") or (ep.get("dns_names") or [""])[0],
                "EndpointID": ep["id"], "MacAddress": ep["mac"],
                "IPv4Address": f"{ep['ipv4']}/{ep['prefixlen']}" if ep["ipv4"] else "",
                "IPv6Address": f"{ep['ipv6']}/{ep['prefixlen6']}" if ep["ipv6"] else ""}
        return out

    def remove_network(self, ref: str) -> None:
        with self.lock:
            net = self.resolve(ref)
            if net["Name"] in netdocs.PREDEFINED:
                raise errdefs.PermissionDenied(f"{net['Name']} is a pre-defined network and "
                                               "cannot be removed")
            if self.store.endpoints(nid=net["Id"]):
                raise errdefs.PermissionDenied(
                    f"error while removing network: network {net['Name']} id {net['Id']} "
                    "has active endpoints")
            self._drop_network(net)
        self.publish_event("network", "destroy", net["Id"],
                           {"name": net["Name"], "type": net["Driver"]})

    def prune_networks(self, filters: dict[str, list[str]] | None = None) -> list[str]:
        """Unused user networks created before ``until`` (a timestamp or a Go duration,
        as docker parses it) with(out) ``label``/``label!``; the names removed."""
        from berth.images import timefmt  # docker's timestamp forms; loaded only here

        filters = {k: list(v) for k, v in (filters or {}).items() if v}
        for key in filters:
            if key not in ("until", "label", "label!"):
                raise errdefs.InvalidArgument(f"invalid filter '{key}'")
        if len(filters.get("until", [])) > 1:
            raise errdefs.InvalidArgument("more than one until filter specified")
        until = timefmt.filter_timestamp(filters["until"][0]) if "until" in filters else None
        removed = []
        for n in self.store.networks():
            if n["Name"] in netdocs.PREDEFINED or self.store.endpoints(nid=n["Id"]):
                continue
            if not netdocs.matches(n, {"label": filters.get("label", [])}, dangling=True):
                continue
            if any(netdocs.matches(n, {"label": [v]}, dangling=True)
                   for v in filters.get("label!", [])):
                continue
            created = timefmt.parse_rfc3339(n["Created"])
            if until is not None and (created is None or created.timestamp() > until):
                continue
            try:
                self.remove_network(n["Id"])
                removed.append(n["Name"])
            except errdefs.BerthError:
                log.info("prune: keeping network %s", n["Name"], exc_info=True)
        return removed

    def _drop_network(self, net: dict[str, Any]) -> None:
        with self.store.tx() as db:
            self.store.delete_network(db, net["Id"])
        self.ready.discard(net["Id"])
        try:
            if net["Driver"] == "bridge":
                self.driver.teardown(net)
        finally:
            self.sync_rules()


def _ula_pools() -> list[dict[str, Any]]:
    """docker's default for --ipv6 without a subnet: a random ULA /48 cut into /64s."""
    g = secrets.token_hex(5)
    return [{"base": f"fd{g[:2]}:{g[2:6]}:{g[6:10]}::/48", "size": 64}]
