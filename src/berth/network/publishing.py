"""Published ports of a container: host sockets reserved, rows in the DB, DNAT rules.

Families follow docker with ``userland-proxy=false``: a binding without a host IP
publishes on 0.0.0.0 to the container's IPv4 address and, when the container has an IPv6
address, on :: to that one too (same host port); a binding to an IPv6 host address of an
IPv4-only container is skipped (netfilter cannot translate between families, and docker
without its proxy skips it the same way), so it holds no port and inspect does not list it.
"""

from __future__ import annotations

import ipaddress
import json
import logging
from typing import Any

from . import ports
from .endpoints import EndpointOps

log = logging.getLogger("berthd.network")


class PortOps(EndpointOps):
    def publish(self, cid: str, bindings: dict[str, Any] | None, exposed: dict[str, Any] | None,
                publish_all: bool) -> dict[str, Any]:
        maps, keys = ports.plan(bindings, exposed, publish_all)
        with self.lock:
            eps = [e for e in self.store.endpoints(cid=cid) if e["ipv4"]]
            nets = {n["Id"]: n for n in self.bridges()}
            eps = [e for e in eps if not nets.get(e["network_id"], {}).get("Internal")]
            if not maps or not eps:
                return ports.settings_ports(keys, [])
            ctr4, ctr6 = eps[0]["ipv4"], eps[0]["ipv6"]
            done: list[dict[str, Any]] = []
            try:
                for m in maps:
                    v6_host = ipaddress.ip_address(m.host_ip).version == 6
                    if v6_host and not ctr6:
                        log.info("%s: cannot map %s to an IPv4-only container without a "
                                 "userland proxy", cid[:12], ports.hp(m.host_ip, m.want))
                        continue
                    m.host_port = self.holder.acquire(m)
                    done.append(m.to_json() | {"cid": cid, "ctr_ip": ctr6 if v6_host else ctr4})
                    if m.any_family and ctr6:
                        m6 = ports.Mapping(m.proto, "::", 0, m.ctr_port, str(m.host_port))
                        m6.host_port = self.holder.acquire(m6)
                        done.append(m6.to_json() | {"cid": cid, "ctr_ip": ctr6})
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
