"""State shared by the service's halves: the DB, the driver, nft, the port sockets, one
lock, and the rule sync that makes nftables match the DB."""

from __future__ import annotations

import hashlib
import ipaddress
import json
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from berth import errdefs
from berth._util.deferred import Deferred

from . import ipam, netdocs, netns, nftrules
from .bridge import OPT_ICC, OPT_MASQ, OPT_MTU, OPT_NAME, BridgeDriver
from .fwcheck import ForwardCheck
from .nft import Nft, delete_rule
from .ports import PortHolder
from .store import NetStore
from .types import NetworkConfig

log = logging.getLogger("berthd.network")
Publish = Callable[[str, str, str, dict[str, str]], Any]
REAP_AFTER = 2.0  # seconds before an orphaned host veth is deleted by hand


class Core:
    def __init__(self, data_root: Path, exec_root: Path, config: NetworkConfig,
                 publish: Publish | None = None) -> None:
        self.config = config
        self.publish_event = publish or (lambda *a: None)
        self.netns_root = Path(config.netns_root or exec_root / "netns")
        self.store = NetStore(Path(data_root) / "network" / "network.db")
        self.lock = threading.RLock()
        # one berthd per host uses the plain names; others (tests) get their own
        default_exec = Path(exec_root) == Path("/run/berth")
        tag = "" if default_exec or config.host_netns else \
            hashlib.sha256(str(exec_root).encode()).hexdigest()[:8]
        self.instance = tag
        self.table = f"berth_{tag}" if tag else nftrules.TABLE
        self.comment = f"berth-{tag}" if tag else nftrules.COMMENT
        self.default_bridge = f"bb{tag}" if tag else config.default_bridge
        self.driver = BridgeDriver(config.host_netns, config.mtu)
        self.nft = Nft(config.nft, config.host_netns)
        self.holder = PortHolder(config.host_netns)
        self._applied: str | None = None
        self._bridge_table = False  # the ``bridge`` table (icc=false) is in the kernel
        self.ready: set[str] = set()  # networks whose bridge this process has set up
        self._fw: tuple[tuple[str, ...], tuple[str, ...]] | None = None
        self.forward_check = ForwardCheck(self)
        self.reaper = Deferred(REAP_AFTER, "berth-net-reaper")  # late deletes of orphaned veths

    # -- lookups -----------------------------------------------------------------------
    def resolve(self, ref: str) -> dict[str, Any]:
        """By name, full id, or unique id prefix (docker's order)."""
        nets = self.store.networks()
        for pick in (lambda n: n["Name"] == ref, lambda n: n["Id"] == ref):
            found = [n for n in nets if pick(n)]
            if found:
                return found[0]
        found = [n for n in nets if ref and n["Id"].startswith(ref)]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise errdefs.InvalidArgument(f"network {ref} is ambiguous ({len(found)} "
                                          "matches found based on ID prefix)")
        raise errdefs.NotFound(f"network {ref} not found")

    def network_id(self, ref: str) -> str:
        """The id of network ``ref``: a name (the common case, from the store's cache)
        or whatever ``resolve`` takes."""
        nid = self.store.network_ids().get(ref)
        return nid if nid is not None else str(self.resolve(ref)["Id"])

    def bridges(self) -> list[dict[str, Any]]:
        return [n for n in self.store.networks() if n["Driver"] == "bridge"]

    def taken_subnets(self) -> list[Any]:
        nets = [ipaddress.ip_network(c["Subnet"]) for n in self.store.networks()
                for c in n["IPAM"]["Config"]]
        try:
            nets += self.driver.host_routes()
        except OSError:
            log.warning("cannot read the host's routes", exc_info=True)
        return nets

    # -- making the kernel match -------------------------------------------------------
    def ensure_ready(self, net: dict[str, Any]) -> bool:
        """Set the network's bridge up once per process (lazily: a daemon that never
        runs a bridged container makes nothing); True when it was done now."""
        if net["Id"] in self.ready:
            return False
        self.driver.setup(net)
        self.ready.add(net["Id"])
        return True

    def sync_rules(self, force: bool = False) -> None:
        """Regenerate berth's tables in one nft batch; nothing at all when the ruleset
        and the bridge list are unchanged (most container starts). With no bridge set up
        the tables are removed instead."""
        if not self.ready:
            if force or self._applied != "":
                self.drop_rules()
                self._applied = ""
            return
        nets, brs, icc_off = [], [], []
        for n in self.bridges():
            if n["Id"] not in self.ready:
                continue
            opts = n.get("Options") or {}
            masq = str(opts.get(OPT_MASQ, "true")).lower() not in ("false", "0")
            subnets = [c["Subnet"] for c in n["IPAM"]["Config"]]
            nets.append(nftrules.NetRules(n["_bridge"], subnets, n.get("Internal", False),
                                          masq and self.config.ip_masq))
            brs.append(n["_bridge"])
            if str(opts.get(OPT_ICC, "true")).lower() == "false":
                icc_off.append(nftrules.IccOff(subnets, self._link_rules(n["Id"])))
        rules = [nftrules.PortRule(p["proto"], p["host_ip"], p["host_port"], p["ctr_ip"],
                                   p["ctr_port"]) for p in self.store.ports()]
        batch = []
        for fam in ("ip", "ip6"):
            batch += nftrules.table_batch(fam, nets, rules, self.table)
        # the bridge family only when needed (a kernel without it still runs the rest)
        if icc_off:
            batch += nftrules.bridge_batch(icc_off, self.table)
        text = json.dumps(batch, sort_keys=True)
        if not icc_off and (self._bridge_table or force):
            batch += nftrules.bridge_batch([], self.table)  # remove it
        fw_key = tuple(sorted(brs))
        if not force and text == self._applied and self._fw is not None and \
                self._fw[0] == fw_key:
            return
        if force or self._fw is None or self._fw[0] != fw_key:
            # FORWARD accepts depend on the bridges only: a port change lists nothing
            found = self.forward_check.listing()
            fams = list(found)
            for fam, handles in found.items():
                batch += [delete_rule(fam, h) for h in handles]
                batch += nftrules.forward_accepts(fam, brs, self.comment)
            self._fw = None
        else:
            fams = list(self._fw[1])
        with self.forward_check.applying():
            try:
                self.nft.run(batch)
            except errdefs.BerthError:
                if icc_off or not force:
                    raise
                # only removing a bridge table: the kernel may lack the bridge family
                self.nft.run([c for c in batch if _family(c) != "bridge"])
        self._applied, self._fw = text, (fw_key, tuple(fams))
        self._bridge_table = bool(icc_off)

    def _link_rules(self, nid: str) -> list[nftrules.LinkRule]:
        """Accepts for the legacy links whose two containers are on network ``nid``."""
        rows = self.store.links()
        if not rows:
            return []
        addr = {e["cid"]: (e["ipv4"], e["ipv6"]) for e in self.store.endpoints(nid=nid)}
        out = []
        for cid, target, proto, port in rows:
            if proto and cid in addr and target in addr:
                for src, dst in zip(addr[cid], addr[target], strict=True):
                    if src and dst:
                        out.append(nftrules.LinkRule(src, dst, proto, port))
        return out

    def drop_rules(self) -> None:
        batch: list[dict[str, Any]] = []
        for fam in ("ip", "ip6"):
            t = {"family": fam, "name": self.table}
            batch += [{"add": {"table": t}}, {"delete": {"table": t}}]
        for fam, handles in self.forward_check.listing().items():
            batch += [delete_rule(fam, h) for h in handles]
        try:
            self.nft.run(batch + nftrules.bridge_batch([], self.table))
        except errdefs.BerthError:  # a kernel without the bridge family
            self.nft.run(batch)
        self._applied = self._fw = None
        self._bridge_table = False

    def _berth_handles(self, fam: str) -> list[int]:
        objs = self.nft.list_json("chain", fam, "filter", "FORWARD")
        return [o["rule"]["handle"] for o in objs
                if "rule" in o and o["rule"].get("comment") == self.comment]

    # -- predefined networks -----------------------------------------------------------
    def ensure_predefined(self) -> None:
        """bridge (on the default bridge device), host and none exist; the bridge's
        subnet follows ``bip``/``default_subnet`` when given, else stays as chosen."""
        have = {n["Name"]: n for n in self.store.networks()}
        with self.store.tx() as db:
            for name, drv in (("host", "host"), ("none", "null")):
                if name not in have:
                    self.store.put_network(db, netdocs.record(name, drv, ipam=[]))
        net = have.get("bridge")
        want = self._default_cfg(net)
        if net is None or net["IPAM"]["Config"] != [want]:
            if net is not None and self.store.endpoints(nid=net["Id"]):
                log.warning("default bridge in use: keeping %s", net["IPAM"]["Config"])
                return
            opts = {OPT_NAME: self.default_bridge, OPT_ICC: str(self.config.icc).lower(),
                    OPT_MASQ: str(self.config.ip_masq).lower(),
                    "com.docker.network.bridge.default_bridge": "true",
                    "com.docker.network.bridge.host_binding_ipv4": "0.0.0.0",
                    OPT_MTU: str(self.config.mtu)}
            rec = netdocs.record("bridge", "bridge", nid=net["Id"] if net else None,
                                 ipam=[want], options=opts, bridge=self.default_bridge)
            if net is not None:
                self.driver.teardown(net)
            with self.store.tx() as db:
                if net is not None:
                    self.store.delete_network(db, net["Id"])
                self.store.put_network(db, rec)
                ipam.reserve_static(db, rec["Id"], want)

    def _default_cfg(self, net: dict[str, Any] | None) -> dict[str, Any]:
        spec = self.config.default_subnet
        if spec:
            iface = ipaddress.ip_interface(spec)
            gw = str(iface.ip) if iface.ip != iface.network.network_address else \
                str(ipam.first_host(iface.network))
            return {"Subnet": str(iface.network), "Gateway": gw}
        if net is not None and net["IPAM"]["Config"]:
            return dict(net["IPAM"]["Config"][0])
        taken = self.taken_subnets()
        sub = ipam.auto_subnet(self.config.default_address_pools, taken, 4)
        return {"Subnet": str(sub), "Gateway": str(ipam.first_host(sub))}

    def sandbox_path(self, cid: str) -> str:
        return str(self.netns_root / cid)

    def forward_on(self) -> None:
        try:
            netns.write_sysctl("net/ipv4/ip_forward", "1", self.config.host_netns)
        except OSError:
            log.warning("cannot enable net.ipv4.ip_forward", exc_info=True)


def _family(cmd: dict[str, Any]) -> str:
    body = next(iter(cmd.values()))
    obj = next(iter(body.values()))
    return str(obj.get("family", ""))
