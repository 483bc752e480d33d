"""Per-monitor memory, without berthd: N ``sleep`` containers from one spawner (root only).

``python -m bench.monitor_memory [-n 20] [--execs K] [--where]`` starts a spawner the way
berthd does (``start_spawner``, this process's environment: try ``PYTHONMALLOC=malloc``
and friends by setting them here), spawns and starts N busybox ``sleep`` containers (and
K exec monitors running ``sleep`` in the first one), then prints the mean
``/proc/<pid>/smaps_rollup`` figures of the monitors (PSS, private dirty, RSS) and of
the spawner. ``--where`` adds private dirty kB per kind of mapping (heap,
anonymous, libpython, stack…) summed over the monitors, to see whose pages they are.
Everything it made is killed and deleted at the end. The figures of monitor.md come
from here; the bench row ``memory_per_container`` measures the same through berthd.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from berth.monitor import client, records
from berth.monitor.spawnclient import start_spawner
from berth.testing.bundle import make_bundle, read_config
from berth.testing.rootfs import make_busybox_rootfs


def rollup(pid: int) -> dict[str, int]:
    out: dict[str, int] = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3 and parts[2] == "kB":
                out[parts[0].rstrip(":")] = int(parts[1])
    return out


def where(pid: int, acc: dict[str, int]) -> None:
    """Private dirty kB per mapping kind of ``pid``, added to ``acc``."""
    name = "?"
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            head = line.split()
            if "-" in head[0] and not head[0].endswith(":"):
                path = head[5] if len(head) > 5 else "[anon]"
                name = os.path.basename(path) if "/" in path else path
            elif head[0] == "Private_Dirty:":
                acc[name] = acc.get(name, 0) + int(head[1])


def mean(pids: list[int], fields: tuple[str, ...]) -> dict[str, float]:
    rolls = [rollup(p) for p in pids]
    return {k: sum(r.get(k, 0) for r in rolls) / len(rolls) / 1024 for k in fields}


FIELDS = ("Pss", "Private_Dirty", "Private_Clean", "Rss")


def show(label: str, pids: list[int]) -> None:
    if not pids:
        return
    m = mean(pids, FIELDS)
    print(f"{label:10} n={len(pids):3}  " + "  ".join(f"{k} {v:6.3f}" for k, v in m.items())
          + "  MiB")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=20)
    ap.add_argument("--execs", type=int, default=0)
    ap.add_argument("--where", action="store_true")
    ap.add_argument("--settle", type=float, default=1.0)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="berth-monmem-", dir="/var/tmp"))
    runtime_root, exec_root = tmp / "runtime", tmp / "exec"
    template = make_busybox_rootfs(tmp / "rootfs")
    loop = asyncio.new_event_loop()
    sp = start_spawner(exec_root)
    ids: list[str] = []
    dirs: list[Path] = []
    try:
        monitors = []
        for i in range(args.n):
            cid = f"mm{os.getpid()}-{i}"
            bundle = make_bundle(tmp / "bundles" / cid, ["sleep", "100000"],
                                 rootfs_template=template)
            sd = exec_root / "containers" / cid
            sd.mkdir(parents=True)
            req = {"id": cid, "bundle": str(bundle), "runtime_root": str(runtime_root),
                   "state_dir": str(sd), "tty": False, "stdin": False,
                   "log": {"driver": "json-file", "path": str(sd / f"{cid}-json.log")}}
            reply = loop.run_until_complete(sp.spawn(req))
            assert reply.get("ok"), reply
            ids.append(cid)
            dirs.append(sd)
            loop.run_until_complete(client.start(sd / records.SOCK_FILE))
            monitors.append(reply["monitor_pid"])
        execs = []
        if args.execs:
            proc = read_config(tmp / "bundles" / ids[0])["process"]
            proc["args"] = ["sleep", "100000"]
            for j in range(args.execs):
                sd = exec_root / "execs" / f"x{j}"
                sd.mkdir(parents=True)
                reply = loop.run_until_complete(sp.spawn({
                    "op": "exec", "id": ids[0], "exec_id": f"x{j}",
                    "runtime_root": str(runtime_root), "state_dir": str(sd),
                    "process": proc, "tty": False, "stdin": False}))
                assert reply.get("ok"), reply
                dirs.append(sd)
                loop.run_until_complete(client.start(sd / records.SOCK_FILE))
                execs.append(reply["monitor_pid"])
        time.sleep(args.settle)
        show("monitor", monitors)
        show("exec", execs)
        show("spawner", [sp.pid])
        if args.where:
            acc: dict[str, int] = {}
            for p in monitors:
                where(p, acc)
            for name, kb in sorted(acc.items(), key=lambda kv: -kv[1]):
                if kb:
                    print(f"  {name:40} {kb / len(monitors):7.1f} kB/monitor")
    finally:
        cleanup(loop, sp, runtime_root, ids, dirs)
        import shutil
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def cleanup(loop: Any, sp: Any, runtime_root: Path, ids: list[str], dirs: list[Path]) -> None:
    from berth.runtime.ops import delete
    for sd in reversed(dirs):
        rec = records.read_pid(sd)
        if rec and client.monitor_alive(sd):
            os.kill(rec[0], signal.SIGKILL)
    for cid in ids:
        try:
            delete(runtime_root, cid, force=True)
        except Exception as e:
            print(f"delete {cid}: {e}", file=sys.stderr)
    loop.run_until_complete(sp.close())
    loop.close()


if __name__ == "__main__":
    sys.exit(main())
