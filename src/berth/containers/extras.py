"""logs, resize, top, changes, export and prune: reads and streams beside the lifecycle."""

from __future__ import annotations

import asyncio
import builtins
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from berth.errdefs import BerthError, Conflict, InvalidArgument, NotImplementedYet
from berth.monitor import client as mclient
from berth.mount import split_lowerdir

from . import bundle
from . import filters as flt
from ._base import ServiceBase
from .state import parse_time

LIVE = ("running", "paused", "restarting")
CHUNK = 1 << 16


class Extras(ServiceBase):
    def logs(self, ref: str, stdout: bool = True, stderr: bool = True, follow: bool = False,
             since_ns: int = 0, until_ns: int = 0, timestamps: bool = False,
             tail: int = -1) -> Iterator[tuple[int, bytes]]:
        from berth.monitor.logs.reader import read_logs
        rec = self.get(ref)
        driver = rec["HostConfig"]["LogConfig"]["Type"]
        if driver == "none":
            raise NotImplementedYet("configured logging driver does not support reading")
        path = rec["LogPath"]

        def done() -> bool:
            return rec["State"]["Status"] not in LIVE or rec.get("_removed", False)
        gen = read_logs(path, driver=driver, stdout=stdout, stderr=stderr,
                        since_ns=since_ns, until_ns=until_ns, tail=tail, follow=follow,
                        timestamps=timestamps, done=done)
        return ((1 if s == "stdout" else 2, data) for s, data, _ns in gen)

    def resize(self, ref: str, height: int, width: int) -> None:
        rec = self.get(ref)
        if rec["State"]["Status"] not in ("running", "paused"):
            raise Conflict(f"Container {rec['ID']} is not running")
        loop = self._loop
        if loop is None:
            raise Conflict("no event loop bound yet")
        coro = mclient.resize(self.sock(rec["ID"]), height, width)
        asyncio.run_coroutine_threadsafe(coro, loop).result(timeout=10)

    def top(self, ref: str, ps_args: str = "") -> dict[str, Any]:
        from berth.runtime import pids as rt_pids
        rec = self.get(ref)
        if rec["State"]["Status"] not in ("running", "paused"):
            raise Conflict(f"Container {rec['ID']} is not running")
        wanted = set(rt_pids(self.runtime_root, rec["ID"]))
        args = (ps_args or "-ef").split()
        res = subprocess.run(["ps", *args], capture_output=True, text=True, check=False)
        if res.returncode != 0:
            raise InvalidArgument(f"ps: {res.stderr.strip() or 'failed'}")
        lines = res.stdout.splitlines()
        titles = lines[0].split() if lines else []
        if "PID" not in titles:
            raise InvalidArgument("Couldn't find PID field in ps output")
        col = titles.index("PID")
        procs = []
        for line in lines[1:]:
            fields = line.split(None, len(titles) - 1)
            if len(fields) > col and fields[col].isdigit() and int(fields[col]) in wanted:
                procs.append(fields)
        return {"Titles": titles, "Processes": procs}

    def _layers(self, rec: dict[str, Any]) -> tuple[list[Path], Path]:
        """(lower dirs topmost first, upper dir) of the container's snapshot."""
        upper = self.snapshotter.upper_dir(rec["SnapshotKey"])
        lowers: list[Path] = []
        for m in self.snapshotter.mounts(rec["SnapshotKey"]):
            for o in m.options:
                if o.startswith("lowerdir="):
                    lowers = [Path(p) for p in split_lowerdir(o[len("lowerdir="):])]
        if not lowers and getattr(self.snapshotter, "whiteout_mode", "") != "overlay":
            raise NotImplementedYet("changes: only the overlay storage driver can list "
                                    "a container's changes")
        return lowers, upper

    def changes(self, ref: str) -> builtins.list[dict[str, Any]]:
        from berth.archive import changes as diff
        rec = self.get(ref)
        lowers, upper = self._layers(rec)
        from .difffilter import filter_changes
        return filter_changes([{"Path": c.path, "Kind": int(c.kind)}
                               for c in diff(lowers, upper)])

    def export(self, ref: str) -> Iterator[bytes]:
        """The container's filesystem as a tar (mounted for the read if it is stopped)."""
        from berth.archive import write_tar
        rec = self.get(ref)
        spool = tempfile.TemporaryFile(dir=self.exec_root)  # noqa: SIM115 (_chunks closes)
        target = self.rootfs(rec["ID"])
        live = rec["State"]["Status"] in ("running", "paused")
        if not live:
            bundle.mount_rootfs(self.snapshotter, rec["SnapshotKey"], target)
        try:
            write_tar(target, spool)
        finally:
            if not live and rec["State"]["Status"] not in ("running", "paused"):
                bundle.unmount(target)
        spool.seek(0)
        return _chunks(spool)

    def prune(self, filters: dict[str, builtins.list[str]] | None = None) -> dict[str, Any]:
        f = {k: list(v) for k, v in (filters or {}).items()}
        for k in f:
            if k not in ("until", "label", "label!"):
                raise InvalidArgument(f"invalid filter '{k}'")
        until = min((_until(v) for v in f.get("until", [])), default=None)
        deleted, reclaimed = [], 0
        for rec in builtins.list(self.store):
            if rec["State"]["Status"] not in ("created", "exited", "dead"):
                continue
            labels = rec["Config"].get("Labels") or {}
            if f.get("label") and not flt.label_match(labels, f["label"]):
                continue
            if f.get("label!") and flt.label_match(labels, f["label!"]):
                continue
            if until is not None and parse_time(rec["Created"]) >= until:
                continue
            try:
                size = self.snapshotter.usage(rec["SnapshotKey"]).size
            except BerthError:
                size = 0
            try:
                remove = self.remove
                remove(rec["ID"], force=False)
            except BerthError:
                continue
            deleted.append(rec["ID"])
            reclaimed += size
        self._publish_fn("container", "prune", "", {"reclaimed": str(reclaimed)})
        return {"ContainersDeleted": deleted or None, "SpaceReclaimed": reclaimed}


def _until(value: str) -> float:
    import time
    v = value.strip()
    try:
        return float(v)
    except ValueError:
        pass
    units = {"s": 1, "m": 60, "h": 3600}
    if v and v[-1] in units and v[:-1].replace(".", "", 1).isdigit():
        return time.time() - float(v[:-1]) * units[v[-1]]
    try:
        return parse_time(v)
    except ValueError:
        raise InvalidArgument(f"invalid filter 'until={value}'") from None


def _chunks(f: Any) -> Iterator[bytes]:
    with f:
        while chunk := f.read(CHUNK):
            yield chunk
