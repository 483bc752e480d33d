"""``update``: change a container's resources and restart policy, live when it runs.

The plan (``updateplan``) validates first, so a refused request changes nothing. A running
or paused container gets the new values through the runtime's ``update`` (cgroup writes,
and the runtime's own state) before the record is saved: if the kernel refuses (e.g. a
memory limit below the current usage on v1), the record keeps the old values. A stopped
container only has its record changed; the next start builds its spec from it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from berth.errdefs import BerthError, Conflict

from . import updateplan
from ._base import ServiceBase

LIVE = ("running", "paused")


class Updates(ServiceBase):
    sys_root = Path("/sys")

    def update(self, ref: str, body: dict[str, Any]) -> dict[str, Any]:
        rec = self.get(ref)
        cid = rec["ID"]
        if rec["State"]["Status"] in ("removing", "dead"):
            raise Conflict(f"Cannot update container {cid}: container is marked for removal "
                           'and cannot be "update"')
        try:
            hc, res = updateplan.plan(rec["HostConfig"], body, ncpu=os.cpu_count() or 1,
                                      cpus_online=self._online("cpu"),
                                      mems_online=self._online("node"))
        except Conflict as e:
            raise Conflict(f"Cannot update container {cid}: {e.message}") from None
        with self.store.lock:
            live = rec["State"]["Status"] in LIVE
        if live and res:
            from berth.runtime import update as rt_update
            try:
                rt_update(self.runtime_root, cid, res)
            except (BerthError, OSError) as e:
                msg = e.message if isinstance(e, BerthError) else str(e)
                raise BerthError(f"Cannot update container {cid}: {msg}") from None
        with self.store.lock:
            rec["HostConfig"].update(hc)
            self.store.save(rec)
        self.publish("update", rec)
        return {"Warnings": []}

    def _online(self, kind: str) -> set[int]:
        """Online CPUs or memory nodes (``/sys/devices/system/<kind>/online``)."""
        try:
            text = (self.sys_root / "devices" / "system" / kind / "online").read_text().strip()
            return updateplan.parse_cpuset(text) if text else set()
        except (OSError, BerthError):
            return set()
