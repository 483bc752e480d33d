"""Sandboxes and endpoints: a container's namespace, its veth on each network, the
addresses IPAM gives it, and the default route (which follows the remaining networks
when the one holding it is disconnected, as docker's does)."""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import secrets
from typing import Any

from berth import errdefs

from . import ipam, links, netns
from .netcrud import NetworkCrud
from .types import Endpoint, EndpointSpec

log = logging.getLogger("berthd.network")


class EndpointOps(NetworkCrud):
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
    def join(self, cid: str, network: str, ns_path: str, spec: EndpointSpec,
             plumb: bool = True) -> Endpoint:
        """Allocate, record and (``plumb``) make the endpoint in the kernel. Without
        ``plumb`` the veth, addresses and routes wait for ``plumb()``: a starting
        container's are made while the runtime creates it."""
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
            else:
                self.forward_check.soon()
            used = {e["ifname"] for e in mine}
            ifname = next(f"eth{i}" for i in range(len(used) + 1) if f"eth{i}" not in used)
            epid = secrets.token_hex(32)
            ep = Endpoint(id=epid, network_id=net["Id"], network_name=net["Name"], cid=cid,
                          ifname=ifname, host_veth=f"vb{epid[:10]}", netns=ns_path,
                          aliases=list(spec.aliases), driver_opts=spec.driver_opts or None,
                          links=_link_aliases(net, spec.links))
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
                ep.mac = spec.mac or links.mac_for(ep.ipv4)
                if spec.ipv4 or spec.ipv6:
                    ep.ipam_config = {k: v for k, v in (("IPv4Address", spec.ipv4),
                                                        ("IPv6Address", spec.ipv6)) if v}
                ep.dns_names = _dns_names(net, spec, cid)
                doc = ep.to_json() | {"name": spec.name}
                self.store.put_endpoint(db, doc)
            try:
                if plumb:
                    self.driver.attach(net, ep, ns_path)
                if self.store.links(cid):  # a link target (re)started: accepts follow it
                    self.sync_rules()
            except BaseException:
                self._forget_endpoint(net, doc)
                raise
        self.publish_event("network", "connect", net["Id"],
                           {"container": cid, "name": net["Name"], "type": net["Driver"]})
        return ep

    def plumb(self, ep: Endpoint) -> None:
        """The kernel half of a ``join(plumb=False)``. A failure leaves the endpoint
        recorded: the caller's ``leave``/sandbox removal undoes it with the rest."""
        with self.lock:
            self.driver.attach(self.resolve(ep.network_id), ep, ep.netns)

    def leave(self, cid: str, network: str) -> None:
        """Idempotent. A running container that keeps other networks gets its default
        route back through the first of them that may have one (not ``--internal``)."""
        with self.lock:
            try:
                net = self.resolve(network)
            except errdefs.NotFound:
                return
            eps = [e for e in self.store.endpoints(cid=cid) if e["network_id"] == net["Id"]]
            for doc in eps:
                self._forget_endpoint(net, doc)
            if eps:
                self._reroute(cid)
                self._unlink_gone(cid)
        if eps:
            self.publish_event("network", "disconnect", net["Id"],
                               {"container": cid, "name": net["Name"], "type": net["Driver"]})

    # -- legacy links (icc=false accepts; docs/design/network.md) ----------------------
    def set_links(self, cid: str, targets: list[tuple[str, str, int]]) -> None:
        """The legacy links of running ``cid``: (target cid, "", 0) for each link and
        (target cid, proto, port) for each exposed port of a target. On a network with
        ``enable_icc=false`` the ports are opened from ``cid`` (and the replies); the
        rows go when ``cid`` leaves its last network."""
        want = sorted(set(targets))
        with self.lock:
            have = sorted((t, pr, po) for c, t, pr, po in self.store.links(cid) if c == cid)
            if have == want:
                return
            with self.store.tx() as db:
                self.store.set_links(db, cid, want)
            self.sync_rules()

    def link_parents(self, cid: str) -> list[str]:
        """The running containers that hold a legacy link to ``cid``."""
        return list(dict.fromkeys(c for c, t, _, _ in self.store.links(cid) if t == cid))

    def _unlink_gone(self, cid: str) -> None:
        """After a leave: the container's own links go with its last endpoint, and the
        accepts of links it is part of are regenerated without its old address."""
        rows = self.store.links(cid)
        if not rows:
            return
        if not self.store.endpoints(cid=cid):
            with self.store.tx() as db:
                self.store.drop_links(db, cid)
        try:
            self.sync_rules()
        except errdefs.BerthError:
            log.warning("cannot update the link rules after %s left", cid, exc_info=True)

    def _reroute(self, cid: str) -> None:
        path = self.sandbox_path(cid)
        rest = self.store.endpoints(cid=cid)
        if not rest or not netns.is_mounted(path):
            return
        nets = {n["Id"]: n for n in self.bridges()}
        via = [(d["ifname"], gw) for d in rest
               if not nets.get(d["network_id"], {}).get("Internal", True)
               for gw in (d["gateway"], d["gateway6"]) if gw]
        try:
            links.ensure_default_routes(path, via)
        except OSError:
            log.warning("cannot move the default route of %s", cid, exc_info=True)

    def _forget_endpoint(self, net: dict[str, Any], doc: dict[str, Any]) -> None:
        ep = Endpoint.from_json(doc)
        if ep.netns and not netns.is_mounted(ep.netns):
            # the sandbox went first (a container's exit): the kernel removes the pair with
            # the namespace; deleting it here would wait 10-30 ms in synchronize_net
            self._reap_later(net, ep)
        else:
            with contextlib.suppress(OSError):
                self.driver.detach(net, ep)
        with self.store.tx() as db:
            ipam.release(db, net["Id"], [doc["ipv4"], doc["ipv6"]])
            self.store.delete_endpoint(db, doc["id"])
            if doc["ipv4"] or doc["ipv6"]:
                db.execute("INSERT OR REPLACE INTO prefs VALUES (?, ?, ?, ?)",
                           (doc["cid"], net["Id"], doc["ipv4"], doc["ipv6"]))

    def _reap_later(self, net: dict[str, Any], ep: Endpoint) -> None:
        """Delete the host end later if something else still holds the namespace."""
        self.reaper.later(lambda: self.driver.detach(net, ep))

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
            self.store.drop_links(db, cid, as_target=True)

    def endpoints(self, cid: str) -> list[Endpoint]:
        return [Endpoint.from_json(d) for d in self.store.endpoints(cid=cid)]

    def network_endpoints(self, network: str) -> list[Endpoint]:
        net = self.resolve(network)
        return [Endpoint.from_json(d) for d in self.store.endpoints(nid=net["Id"])]

    def gateway_for_host(self) -> str:
        net = self.resolve("bridge")
        return str(net["IPAM"]["Config"][0]["Gateway"])


def _dns_names(net: dict[str, Any], spec: EndpointSpec, cid: str) -> list[str]:
    if net["Name"] == "bridge":
        return []
    names = [spec.name] if spec.name else []
    names += [a for a in spec.aliases if a not in names]
    names += [n for n in (cid[:12], spec.hostname) if n and n not in names]
    return names


def _link_aliases(net: dict[str, Any], specs: list[str]) -> dict[str, str] | None:
    """``--link name:alias`` on a user network: a name only this container's resolver
    knows (alias → the linked container's name); the default bridge has no DNS."""
    if net["Name"] == "bridge" or not specs:
        return None
    out = {}
    for spec in specs:
        name, _, alias = spec.partition(":")
        name = name.lstrip("/")
        out[(alias.rpartition("/")[2] or name).lower()] = name.lower()
    return out
