"""``NetworkService`` (docs/design/network.md): networks for the API, endpoints, ports and
sandboxes for the container service, and crash recovery.

Every change is: DB transaction first (addresses, endpoint, ports), then the kernel
(links, one nft batch); if the kernel step fails the DB change is undone, so a failed
start leaves no address, rule, veth or socket behind.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import secrets
from collections.abc import Collection
from pathlib import Path
from typing import Any

from berth import errdefs

from . import ipam, netns, ports
from .links import mac_for
from .netcrud import NetworkCrud
from .types import Endpoint, EndpointSpec, NetworkConfig


class NetworkService(NetworkCrud):
    def __init__(self, data_root: Path, exec_root: Path, config: NetworkConfig | None = None,
                 publish: Any = None) -> None:
        super().__init__(data_root, exec_root, config or NetworkConfig(), publish)
        self.netns_root.mkdir(parents=True, exist_ok=True)
        with self.lock:
            self.ensure_predefined()

    def close(self) -> None:
        """Sockets go; kernel state stays for the live containers (``recover``). An
        instance with its own exec-root (tests) removes its bridges and tables when no
        endpoint is left, so test daemons do not pile up on the host."""
        if self.instance:
            with contextlib.suppress(Exception):
                self.shutdown_cleanup()
        self.holder.close()
        self.driver.close()
        self.store.close()

    # -- sandboxes ---------------------------------------------------------------------
    def sandbox(self, cid: str) -> str:
        path = self.sandbox_path(cid)
        if netns.is_mounted(path):
            return path
        netns.delete(path)
        netns.create(path)
        return path

    def remove_sandbox(self, cid: str) -> None:
        netns.delete(self.sandbox_path(cid))

    # -- endpoints ---------------------------------------------------------------------
    def join(self, cid: str, network: str, ns_path: str, spec: EndpointSpec) -> Endpoint:
        with self.lock:
            net = self.resolve(network)
            if net["Driver"] != "bridge":
                raise errdefs.InvalidArgument(
                    f"container cannot be connected to the {net['Name']} network")
            mine = self.store.endpoints(cid=cid)
            if any(e["network_id"] == net["Id"] for e in mine):
                raise errdefs.PermissionDenied(f"endpoint with name {spec.name} already "
                                               f"exists in network {net['Name']}")
            self._check_ip_request(net, spec)
            if self.ensure_ready(net):
                self.forward_on()
                self.sync_rules()
            used = {e["ifname"] for e in mine}
            ifname = next(f"eth{i}" for i in range(len(used) + 1) if f"eth{i}" not in used)
            epid = secrets.token_hex(32)
            ep = Endpoint(id=epid, network_id=net["Id"], network_name=net["Name"], cid=cid,
                          ifname=ifname, host_veth=f"vb{epid[:10]}", netns=ns_path,
                          aliases=list(spec.aliases), driver_opts=spec.driver_opts or None)
            pref = self.store.q("SELECT v4, v6 FROM prefs WHERE cid = ? AND network_id = ?",
                                (cid, net["Id"]))
            with self.store.tx() as db:
                for ver, want in ((4, spec.ipv4), (6, spec.ipv6)):
                    if ver == 6 and not net.get("EnableIPv6"):
                        continue
                    got = ipam.allocate(db, net, epid, ver, want,
                                        pref[0][ver // 6] if pref else "")
                    if got is None:
                        continue
                    ip, cfg = got
                    plen = ipaddress.ip_network(cfg["Subnet"]).prefixlen
                    if ver == 4:
                        ep.ipv4, ep.prefixlen, ep.gateway = ip, plen, cfg["Gateway"]
                    else:
                        ep.ipv6, ep.prefixlen6, ep.gateway6 = ip, plen, cfg["Gateway"]
                ep.mac = spec.mac or mac_for(ep.ipv4)
                if spec.ipv4 or spec.ipv6:
                    ep.ipam_config = {k: v for k, v in (("IPv4Address", spec.ipv4),
                                                        ("IPv6Address", spec.ipv6)) if v}
                ep.dns_names = _dns_names(net, spec, cid)
                doc = ep.to_json() | {"name": spec.name}
                self.store.put_endpoint(db, doc)
            try:
                self.driver.attach(net, ep, ns_path)
            except BaseException:
                self._forget_endpoint(net, doc)
                raise
        self.publish_event("network", "connect", net["Id"],
                           {"container": cid, "name": net["Name"], "type": net["Driver"]})
        return ep

    def leave(self, cid: str, network: str) -> None:
        with self.lock:
            try:
                net = self.resolve(network)
            except errdefs.NotFound:
                return
            eps = [e for e in self.store.endpoints(cid=cid) if e["network_id"] == net["Id"]]
            for doc in eps:
                self._forget_endpoint(net, doc)
        if eps:
            self.publish_event("network", "disconnect", net["Id"],
                               {"container": cid, "name": net["Name"], "type": net["Driver"]})

    def _forget_endpoint(self, net: dict[str, Any], doc: dict[str, Any]) -> None:
        with contextlib.suppress(OSError):
            self.driver.detach(net, Endpoint.from_json(doc))
        with self.store.tx() as db:
            ipam.release(db, net["Id"], [doc["ipv4"], doc["ipv6"]])
            db.execute("DELETE FROM endpoints WHERE id = ?", (doc["id"],))
            if doc["ipv4"] or doc["ipv6"]:
                db.execute("INSERT OR REPLACE INTO prefs VALUES (?, ?, ?, ?)",
                           (doc["cid"], net["Id"], doc["ipv4"], doc["ipv6"]))

    def _check_ip_request(self, net: dict[str, Any], spec: EndpointSpec) -> None:
        if not (spec.ipv4 or spec.ipv6):
            return
        if net["Name"] == "bridge":
            raise errdefs.InvalidArgument("user specified IP address is supported on user "
                                          "defined networks only")
        for ip in (spec.ipv4, spec.ipv6):
            if ip:
                try:
                    ipaddress.ip_address(ip)
                except ValueError:
                    raise errdefs.InvalidArgument(f"invalid IP address: {ip}") from None

    def forget(self, cid: str) -> None:
        """The container is gone for good: its address preferences go too."""
        with self.store.tx() as db:
            db.execute("DELETE FROM prefs WHERE cid = ?", (cid,))

    def endpoints(self, cid: str) -> list[Endpoint]:
        return [Endpoint.from_json(d) for d in self.store.endpoints(cid=cid)]

    def network_endpoints(self, network: str) -> list[Endpoint]:
        net = self.resolve(network)
        return [Endpoint.from_json(d) for d in self.store.endpoints(nid=net["Id"])]

    def gateway_for_host(self) -> str:
        net = self.resolve("bridge")
        return str(net["IPAM"]["Config"][0]["Gateway"])

    # -- published ports ---------------------------------------------------------------
    def publish(self, cid: str, bindings: dict[str, Any] | None, exposed: dict[str, Any] | None,
                publish_all: bool) -> dict[str, Any]:
        maps, keys = ports.plan(bindings, exposed, publish_all)
        with self.lock:
            eps = [e for e in self.store.endpoints(cid=cid) if e["ipv4"]]
            nets = {n["Id"]: n for n in self.bridges()}
            eps = [e for e in eps if not nets.get(e["network_id"], {}).get("Internal")]
            if not maps or not eps:
                return ports.settings_ports(keys, [])
            ctr_ip = eps[0]["ipv4"]
            done: list[dict[str, Any]] = []
            try:
                for m in maps:
                    m.host_port = self.holder.acquire(m)
                    done.append(m.to_json() | {"cid": cid, "ctr_ip": ctr_ip})
                with self.store.tx() as db:
                    for d in done:
                        db.execute("INSERT INTO ports VALUES (?, ?, ?, ?, ?)",
                                   (d["host_ip"], d["proto"], d["host_port"], cid,
                                    json.dumps(d)))
                try:
                    self.sync_rules()
                except BaseException:
                    with self.store.tx() as db:
                        db.execute("DELETE FROM ports WHERE cid = ?", (cid,))
                    raise
            except BaseException:
                for d in done:
                    self.holder.release(d["host_ip"], d["proto"], d["host_port"])
                raise
        return ports.settings_ports(keys, done)

    def unpublish(self, cid: str) -> None:
        with self.lock:
            rows = self.store.ports(cid)
            if not rows:
                return
            with self.store.tx() as db:
                db.execute("DELETE FROM ports WHERE cid = ?", (cid,))
            for d in rows:
                self.holder.release(d["host_ip"], d["proto"], d["host_port"])
            self.sync_rules()

    def port_mappings(self, cid: str) -> list[dict[str, Any]]:
        return self.store.ports(cid)

    # -- recovery ----------------------------------------------------------------------
    def recover(self, live: Collection[str]) -> None:
        """Make the kernel match the DB for ``live`` containers; release the rest."""
        live = set(live)
        with self.lock:
            nets = {n["Id"]: n for n in self.store.networks()}
            for doc in self.store.endpoints():
                if doc["cid"] not in live and doc["network_id"] in nets:
                    self._forget_endpoint(nets[doc["network_id"]], doc)
                elif doc["network_id"] not in nets:
                    with self.store.tx() as db:
                        db.execute("DELETE FROM endpoints WHERE id = ?", (doc["id"],))
            with self.store.tx() as db:
                for d in self.store.ports():
                    if d["cid"] not in live:
                        db.execute("DELETE FROM ports WHERE host_ip = ? AND proto = ? AND "
                                   "host_port = ?", (d["host_ip"], d["proto"], d["host_port"]))
            held = self.holder.held()
            for d in self.store.ports():
                if (d["host_ip"], d["proto"], d["host_port"]) not in held:
                    m = ports.Mapping(d["proto"], d["host_ip"], 0, d["ctr_port"],
                                      str(d["host_port"]))
                    with contextlib.suppress(errdefs.BerthError):
                        self.holder.acquire(m)
            for name in os.listdir(self.netns_root):
                if name not in live:
                    netns.delete(self.netns_root / name)
            for net in self.bridges():
                if net["Name"] != "bridge" or self.store.endpoints(nid=net["Id"]):
                    self.ensure_ready(net)
            owned = {d["host_veth"] for d in self.store.endpoints()}
            for name in self.driver.stale_veths({n["_bridge"] for n in self.bridges()},
                                                owned):
                self.driver.remove_link(name)
            if self.ready:
                self.forward_on()
            self.sync_rules(force=True)

    def shutdown_cleanup(self) -> None:
        """Remove every kernel object of an instance that has no endpoints (test daemons
        with their own exec-root leave nothing behind on a clean stop)."""
        with self.lock:
            if self.store.endpoints():
                return
            for net in self.bridges():
                with contextlib.suppress(OSError):
                    self.driver.teardown(net)
            self.ready.clear()
            with contextlib.suppress(errdefs.BerthError):
                self.drop_rules()


def _dns_names(net: dict[str, Any], spec: EndpointSpec, cid: str) -> list[str]:
    if net["Name"] == "bridge":
        return []
    names = [spec.name] if spec.name else []
    names += [a for a in spec.aliases if a not in names]
    names += [n for n in (cid[:12], spec.hostname) if n and n not in names]
    return names


