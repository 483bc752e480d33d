"""``Networks`` over the network service (docs/design/network.md, "netglue"): which
networks a container joins, its namespace, endpoints, published ports, embedded DNS and
/etc files; the container half of ``network connect``/``disconnect``; inspect's
``NetworkSettings``.

The networks a container is on are the keys of its ``NetworkingConfig.EndpointsConfig``
(names), normalised at create so the ``NetworkMode`` network comes first; connect and
disconnect edit that map, and every start joins exactly those.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import Callable, Collection
from functools import partial
from pathlib import Path
from typing import Any

from berth import errdefs
from berth.network import EndpointSpec, NetworkService
from berth.network import ports as netports

from . import etcfiles, netlinks
from ._ports import NetPlan

log = logging.getLogger("berthd.netglue")
NO_ENDPOINT = {"IPAMConfig": None, "Links": None, "Aliases": None, "MacAddress": "",
               "DriverOpts": None, "GwPriority": 0, "NetworkID": "", "EndpointID": "",
               "Gateway": "", "IPAddress": "", "IPPrefixLen": 0, "IPv6Gateway": "",
               "GlobalIPv6Address": "", "GlobalIPv6PrefixLen": 0, "DNSNames": None}


def _plumb(service: NetworkService, eps: list[Any],
           dns: Callable[[], None] | None) -> None:
    """The endpoints' veths, addresses and routes, then the embedded DNS listener
    (``NetPlan.plumb``): it binds 127.0.0.11 once lo is up, since a socket bound
    before that (IP_FREEBIND) answers from 127.0.0.1, which resolvers drop."""
    for ep in eps:
        service.plumb(ep)
    if dns is not None:
        dns()


def _mode(rec: dict[str, Any]) -> str:
    mode = str(rec["HostConfig"].get("NetworkMode") or "bridge")
    return "bridge" if mode == "default" else mode  # the CLIs send "default"


def _epcfg(rec: dict[str, Any]) -> dict[str, Any]:
    """The networks the container is on ({name: EndpointSettings}); a record made before
    netglue (no EndpointsConfig at all) is on its NetworkMode network."""
    eps = (rec.get("NetworkingConfig") or {}).get("EndpointsConfig")
    if eps is None:
        mode = _mode(rec)
        return {} if mode in ("host", "none") or mode.startswith("container:") else {mode: {}}
    return dict(eps)


class ContainerNetworks:
    def __init__(self, service: NetworkService, dns: Any = None,
                 lookup: Callable[[str], dict[str, Any]] | None = None,
                 save: Callable[[dict[str, Any]], None] | None = None) -> None:
        self.service, self.dns = service, dns
        self.lookup = lookup  # ContainerService.get, set by the daemon once it exists
        self.save = save

    # -- create ------------------------------------------------------------------------
    def check_create(self, rec: dict[str, Any]) -> None:
        hc, mode = rec["HostConfig"], _mode(rec)
        etcfiles.check(hc)
        netports.plan(hc.get("PortBindings"), rec["Config"].get("ExposedPorts"),
                      bool(hc.get("PublishAllPorts")))
        if mode.startswith("container:"):
            if hc.get("PortBindings") or hc.get("PublishAllPorts"):
                raise errdefs.InvalidArgument("conflicting options: port publishing and the "
                                              "container type network mode")
            self._other(mode)
            return
        if mode in ("host", "none"):
            netlinks.check(rec, mode, self.lookup, {})
            return
        # the CLI names the network mode "default" in EndpointsConfig too
        eps = {("bridge" if k == "default" else k): v for k, v in _epcfg(rec).items()}
        out: dict[str, Any] = {}
        for ref in [mode, *[k for k in eps if k != mode]]:
            net = self.service.resolve(ref)
            if net["Driver"] != "bridge":
                raise errdefs.InvalidArgument(f"container cannot be connected to network "
                                              f"{net['Name']} and another network")
            cfg = eps.get(ref) or eps.get(net["Name"]) or {}
            self._check_ip(net, cfg)
            out[net["Name"]] = cfg
        first = self.service.resolve(mode)["Name"]
        netlinks.check(rec, "bridge" if first == "bridge" else first, self.lookup, out)
        rec["NetworkingConfig"] = {"EndpointsConfig": out}
        if first != mode and first == "bridge":
            hc["NetworkMode"] = "bridge"

    def _check_ip(self, net: dict[str, Any], cfg: dict[str, Any]) -> None:
        ipam_cfg = cfg.get("IPAMConfig") or {}
        want4, want6 = ipam_cfg.get("IPv4Address") or "", ipam_cfg.get("IPv6Address") or ""
        if not (want4 or want6):
            return
        if net["Name"] == "bridge":
            raise errdefs.InvalidArgument("user specified IP address is supported on user "
                                          "defined networks only")
        import ipaddress

        for want in (want4, want6):
            if not want:
                continue
            try:
                ip = ipaddress.ip_address(want)
            except ValueError:
                raise errdefs.InvalidArgument(f"invalid IP address: {want}") from None
            subs = [ipaddress.ip_network(c.get("IPRange") or c["Subnet"])
                    for c in net["IPAM"]["Config"]]
            if not any(ip in s for s in subs):
                raise errdefs.InvalidArgument(
                    "invalid endpoint settings:\nno configured subnet or ip-range contain "
                    f"the IP address {want}")

    def _other(self, mode: str) -> dict[str, Any]:
        if self.lookup is None:
            raise errdefs.NotImplementedYet("container network mode needs the container "
                                            "service")
        return self.lookup(mode.partition(":")[2])

    # -- start / exit ------------------------------------------------------------------
    def attach(self, rec: dict[str, Any], ctr_dir: Path) -> NetPlan:
        mode, cid = _mode(rec), rec["ID"]
        if mode == "host":
            return NetPlan(None, etcfiles.write_all(ctr_dir, rec))
        if mode == "none":
            return NetPlan(None, self._etc(ctr_dir, rec))
        if mode.startswith("container:"):
            other = self._other(mode)
            pid = other["State"].get("Pid") or 0
            if not other["State"].get("Running") or not pid:
                raise errdefs.Conflict(f"cannot join network of a non running container: "
                                       f"{other['ID']}")
            return NetPlan(f"/proc/{pid}/ns/net",
                           etcfiles.write_all(ctr_dir, rec, share_from=ctr_dir.parent /
                                              other["ID"]))
        links = netlinks.at_start(rec, self.lookup, self._bridge_ip) \
            if mode == "bridge" else netlinks.LinkPlan([], [], [])
        try:
            path = self.service.sandbox(cid)
            eps = [self.service.join(cid, name, path, self._spec(rec, cfg), plumb=False)
                   for name, cfg in _epcfg(rec).items()]
            if links.targets:
                self.service.set_links(cid, links.targets)
            self._refresh_linking(rec, ctr_dir)
            hc = rec["HostConfig"]
            self.service.publish(cid, hc.get("PortBindings"), rec["Config"].get("ExposedPorts"),
                                 bool(hc.get("PublishAllPorts")))
            user = self._user_networks(cid)
            dns = (partial(self.dns.start_for, cid, path, upstream=_dns_servers(rec))
                   if user and self.dns is not None else None)
            return NetPlan(path, self._etc(ctr_dir, rec, embedded=bool(user),
                                           links=links.hosts), links.env,
                           plumb=partial(_plumb, self.service, eps, dns) if eps else None)
        except BaseException:
            self.detach(rec)
            raise

    def _etc(self, ctr_dir: Path, rec: dict[str, Any], embedded: bool = False,
             links: list[etcfiles.Link] | None = None) -> dict[str, str]:
        """The one call site of the /etc files (etcfiles owns their content)."""
        eps = self.service.endpoints(rec["ID"])
        ips = [e.ipv4 for e in eps[:1] if e.ipv4] + [e.ipv6 for e in eps[:1] if e.ipv6]
        return etcfiles.write_all(ctr_dir, rec, ips=ips, embedded_dns=embedded,
                                  host_gateway=self.service.gateway_for_host,
                                  links=links or ())

    def _refresh_linking(self, rec: dict[str, Any], ctr_dir: Path) -> None:
        """The hosts files of running containers linking to ``rec`` name its current
        default-bridge address (it may have changed since they started)."""
        parents = self.service.link_parents(rec["ID"])
        ip = self._bridge_ip(rec["ID"]) if parents else ""
        if not ip or self.lookup is None:
            return
        for pid in parents:
            try:
                parent = self.lookup(pid)
                if parent["State"].get("Running"):
                    etcfiles.update_links(ctr_dir.parent / pid / "hosts",
                                          netlinks.lines_for(parent, rec, ip))
            except (errdefs.BerthError, OSError):
                log.warning("cannot update the hosts file of %s", pid[:12], exc_info=True)

    def _bridge_ip(self, cid: str) -> str:
        return next((e.ipv4 for e in self.service.endpoints(cid)
                     if e.network_name == "bridge"), "")

    def _spec(self, rec: dict[str, Any], cfg: dict[str, Any]) -> EndpointSpec:
        ipam_cfg = cfg.get("IPAMConfig") or {}
        return EndpointSpec(name=rec["Name"].lstrip("/"), aliases=list(cfg.get("Aliases") or []),
                            ipv4=ipam_cfg.get("IPv4Address") or "",
                            ipv6=ipam_cfg.get("IPv6Address") or "",
                            mac=cfg.get("MacAddress") or "",
                            hostname=rec["Config"].get("Hostname") or "",
                            links=list(cfg.get("Links") or []),
                            driver_opts=dict(cfg.get("DriverOpts") or {}))

    def _user_networks(self, cid: str) -> list[str]:
        return [e.network_name for e in self.service.endpoints(cid)
                if e.network_name != "bridge"]

    def detach(self, rec: dict[str, Any]) -> None:
        cid = rec["ID"]
        if self.dns is not None:
            self.dns.stop_for(cid)
        self.service.unpublish(cid)
        # the namespace first: its end goes with it, and the kernel then removes the veth
        # pair in the background (deleting it by hand costs 10-30 ms of synchronize_net);
        # leave() deletes whatever is still there (a netns another process holds)
        self.service.remove_sandbox(cid)
        for ep in self.service.endpoints(cid):
            self.service.leave(cid, ep.network_id)

    def forget(self, rec: dict[str, Any]) -> None:
        self.service.forget(rec["ID"])

    def recover(self, live: Collection[str]) -> None:
        self.service.recover(live)
        if self.dns is None:
            return
        for cid in live:
            if self._user_networks(cid):
                with contextlib.suppress(Exception):
                    rec = self.lookup(cid) if self.lookup else None
                    self.dns.start_for(cid, self.service.sandbox_path(cid),
                                       upstream=_dns_servers(rec) if rec else None)

    # -- inspect -----------------------------------------------------------------------
    def settings(self, rec: dict[str, Any]) -> dict[str, Any]:
        from .netsettings import network_settings

        return network_settings(self, rec)

    # -- network connect / disconnect --------------------------------------------------
    def connect(self, network_ref: str, container_ref: str,
                endpoint_config: dict[str, Any] | None) -> None:
        from .netsettings import connect

        connect(self, network_ref, container_ref, endpoint_config or {})

    def disconnect(self, network_ref: str, container_ref: str, force: bool = False) -> None:
        from .netsettings import disconnect

        disconnect(self, network_ref, container_ref, force)


def _dns_servers(rec: dict[str, Any]) -> list[str] | None:
    """``--dns`` on a user network: the embedded server forwards there (docker's way)."""
    return list(rec["HostConfig"].get("Dns") or []) or None


def sandbox_id(cid: str) -> str:
    return hashlib.sha256(f"sandbox:{cid}".encode()).hexdigest()
