"""``NetworkService`` (docs/design/network.md): networks for the API (``netcrud``),
sandboxes and endpoints (``endpoints``), published ports (``publishing``) for the
container service, and what a daemon does at start (``recover``) and stop.

Every change is: DB transaction first (addresses, endpoint, ports), then the kernel
(links, one nft batch); if the kernel step fails the DB change is undone, so a failed
start leaves no address, rule, veth or socket behind.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Collection
from pathlib import Path
from typing import Any

from berth import errdefs

from . import netns, ports
from .publishing import PortOps
from .types import NetworkConfig


class NetworkService(PortOps):
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
        self.reaper.close()
        self.forward_check.close()
        self.holder.close()
        self.driver.close()
        self.store.close()

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
                        self.store.delete_endpoint(db, doc["id"])
            with self.store.tx() as db:
                for c, _, _, _ in self.store.links():
                    if c not in live:
                        self.store.drop_links(db, c)
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

