"""``ContainerService``: the containers backend berthd's API calls (docs/design/containers.md).

Create writes in one order — active snapshot ``container-<id>``, holds, then the record —
so a crash leaves at worst an orphan snapshot that ``recover`` sweeps. Remove goes the
other way: state ``removing`` (persisted), unmount, snapshot, holds, directories, record.
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
from pathlib import Path
from typing import Any

import msgspec

from berth._util.fsutil import remove_later, remove_tree
from berth.errdefs import BerthError, Conflict, InvalidArgument, NotImplementedYet
from berth.runtime import pause as rt_pause
from berth.runtime import resume as rt_resume

from . import create as mk
from . import filters as flt
from . import specgen, views
from ._base import log
from ._ports import Networks, Publish, Spawner, Volumes
from .archive import ArchiveOps
from .commit import CommitOps
from .extras import Extras
from .healthmon import HealthMixin
from .lifecycle import Lifecycle
from .sizes import sizes
from .stats import Stats
from .store import new_id
from .update import Updates


class ContainerService(HealthMixin, Lifecycle, Extras, Stats, Updates, ArchiveOps,
                       CommitOps):
    def __init__(self, data_root: Path, exec_root: Path, images: Any, snapshotter: Any,
                 spawner: Spawner, publish: Publish | None = None, *,
                 networks: Networks | None = None, volumes: Volumes | None = None) -> None:
        super().__init__(data_root, exec_root, images, snapshotter, spawner, publish,
                         networks=networks, volumes=volumes)
        self._backoff = {}
        self._restart_tasks = {}

    # -- create ----------------------------------------------------------------------------

    def create(self, body: dict[str, Any], name: str | None = None) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise InvalidArgument("container config must be a JSON object")
        image_name = body.get("Image") or ""
        if not image_name:
            raise InvalidArgument("No image was specified")
        img = self.images.resolve(image_name)
        cfg_obj = self.images.image_config(img.id).config
        image_cfg = msgspec.to_builtins(cfg_obj) if cfg_obj is not None else {}
        cid = new_id()
        hc = mk.host_config(body)
        cfg = mk.merge_config(body, image_cfg, cid)
        cfg["Image"] = image_name
        full = self.store.reserve_name(name)
        rec = mk.new_record(cid, full, img.id, cfg, hc, str(self.ctr_dir(cid)),
                            getattr(self.images, "graph_driver", "overlay2"))
        rec["NetworkingConfig"] = body.get("NetworkingConfig")
        specgen.validate(rec)
        self.networks.check_create(rec)
        self.volumes.check_create(rec)
        try:
            self._materialise(rec, img)
        except BaseException:
            with contextlib.suppress(Exception):
                self.volumes.release(rec, remove_anonymous=True)
            with contextlib.suppress(Exception):
                self.networks.forget(rec)
            raise
        self.publish("create", rec)
        return {"Id": cid, "Warnings": []}

    def _materialise(self, rec: dict[str, Any], img: Any) -> None:
        cid, owner = rec["ID"], f"container/{rec['ID']}"
        self.snapshotter.prepare(rec["SnapshotKey"], img.top_chain or None)
        try:
            self.images.db.add_holds(owner, [("snapshot", img.top_chain),
                                             ("content", img.id)])
            self.store.add(rec)
        except BaseException:
            with contextlib.suppress(Exception):
                self.images.db.remove_holds(owner)
            with contextlib.suppress(Exception):
                self.snapshotter.remove(rec["SnapshotKey"])
            remove_tree(self.ctr_dir(cid))
            raise

    # -- remove ----------------------------------------------------------------------------

    def remove(self, ref: str, force: bool = False, volumes: bool = False,
               link: bool = False) -> None:
        if link:
            raise NotImplementedYet("legacy container links are not supported")
        rec = self.get(ref)
        cid, st = rec["ID"], rec["State"]["Status"]
        if st == "removing":
            raise Conflict(f"removal of container {cid} is already in progress")
        if st in ("running", "paused") and not force:
            what = "paused" if st == "paused" else "running"
            hint = ("Unpause and then stop the container" if st == "paused" else
                    "Stop the container")
            raise Conflict(f"You cannot remove a {what} container {cid}. {hint} before "
                           "attempting removal or force remove")
        self.cancel_restart(rec)
        if rec["State"]["Status"] in ("running", "paused"):
            self._kill_from_thread(rec)
        # not fsync'ed, nor are the snapshot and hold removals: a power loss may bring
        # back the record (as it was) and a snapshot row, and rm finishes the job again
        # (recover() does, for a record whose snapshot is gone); kill -9 loses nothing
        self.set_status(rec, "removing", durable=False)
        try:
            self._teardown(rec, volumes)
        except BaseException as e:
            with contextlib.suppress(Exception):
                self.set_status(rec, "dead", Error=f"removal failed: {e}")
            raise
        self.execs.drop_container(cid)
        self.publish("destroy", rec)
        self.resolve_waiters(self._remove_waiters, cid, {
            "StatusCode": rec["State"]["ExitCode"], "Error": None})
        self.resolve_waiters(self._exit_waiters, cid, {
            "StatusCode": rec["State"]["ExitCode"], "Error": None})

    def _kill_from_thread(self, rec: dict[str, Any]) -> None:
        """``rm -f``: SIGKILL and wait (on the loop) until the exit is recorded."""
        loop = self._loop
        if loop is None or loop.is_closed():
            raise Conflict(f"container {rec['ID'][:12]} is running and no event loop can "
                           "stop it")
        fut = asyncio.run_coroutine_threadsafe(self._stop(rec, 9, 60), loop)
        fut.result(timeout=90)

    def _teardown(self, rec: dict[str, Any], remove_volumes: bool) -> None:
        cid = rec["ID"]
        self.release_start(rec)
        self.networks.forget(rec)
        self.volumes.release(rec, remove_anonymous=remove_volumes)
        with contextlib.suppress(BerthError, OSError):
            from berth.runtime import delete
            delete(self.runtime_root, cid, force=True)
        try:
            self.snapshotter.remove(rec["SnapshotKey"], durable=False)
        except BerthError as e:
            if "not found" not in e.message.lower() and "no such" not in e.message.lower():
                raise
        self.images.db.remove_holds(f"container/{cid}", durable=False)
        remove_later(self.state_dir(cid))
        self.store.drop(cid)

    # -- read ------------------------------------------------------------------------------

    def resolve(self, ref: str) -> str:
        """The full id ``ref`` names (NotFound, AmbiguousPrefix): an in-memory lookup, so
        the API calls it on the event loop (``/wait``'s 404 without an executor hop)."""
        return str(self.get(ref)["ID"])

    def inspect(self, ref: str, size: bool = False) -> dict[str, Any]:
        rec = self.get(ref)
        graph = {"Name": rec.get("Driver", "overlay2"),
                 "Data": {"SnapshotKey": rec["SnapshotKey"]}}
        out = views.inspect(rec, graph, self.networks.settings(rec),
                            self.volumes.mounts_view(rec))
        out["ExecIDs"] = self.execs.running_ids(rec["ID"]) or None
        if size:
            out.update(sizes(rec, self.snapshotter, self.images))
            out = {k: out[k] for k in views.INSPECT_KEYS if k in out}
        return out

    def list(self, all: bool = False, limit: int = -1, size: bool = False,
             filters: dict[str, builtins.list[str]] | None = None
             ) -> builtins.list[dict[str, Any]]:
        f = flt.validate(filters)
        match = flt.build(f, self.get, self._ancestors)
        recs = sorted(self.store, key=lambda r: r["Created"], reverse=True)
        if not all and not (limit and limit > 0) and not f.get("status") \
                and not f.get("exited"):
            recs = [r for r in recs if r["State"]["Status"] in ("running", "paused",
                                                                "restarting")]
        out = [views.summary(r, r["Config"].get("Image") or r["Image"], [r["Name"]],
                             self.networks.settings(r), self.volumes.mounts_view(r))
               for r in recs if match(r)]
        out = out[:limit] if limit and limit > 0 else out
        if size:
            for summ in out:
                summ.update(sizes(self.get(summ["Id"]), self.snapshotter, self.images))
        return out

    def _ancestors(self, name: str) -> set[str]:
        try:
            return {self.images.resolve(name).id}
        except BerthError:
            return set()

    # -- small state changes ---------------------------------------------------------------

    def rename(self, ref: str, name: str) -> None:
        rec = self.get(ref)
        if not name:
            raise InvalidArgument("Neither old nor new names may be empty")
        old = rec["Name"]
        if name.lstrip("/") == old.lstrip("/"):
            raise Conflict("Renaming a container with the same name as its current name")
        self.store.rename(rec, name)
        self.publish("rename", rec, oldName=old)

    def pause(self, ref: str) -> None:
        rec = self.get(ref)
        st = rec["State"]["Status"]
        if st == "paused":
            raise Conflict(f"Container {rec['ID']} is already paused")
        if st != "running":
            raise Conflict(f"Container {rec['ID']} is not running")
        rt_pause(self.runtime_root, rec["ID"])
        self.set_status(rec, "paused")
        self.publish("pause", rec)

    def unpause(self, ref: str) -> None:
        rec = self.get(ref)
        if rec["State"]["Status"] != "paused":
            raise Conflict(f"Container {rec['ID']} is not paused")
        rt_resume(self.runtime_root, rec["ID"])
        self.set_status(rec, "running")
        self.publish("unpause", rec)

    def close(self) -> None:
        for task in list(self._watchers.values()) + list(self._restart_tasks.values()) \
                + list(self._health_tasks.values()):
            self.on_loop(task.cancel)
        log.debug("container service closed")
