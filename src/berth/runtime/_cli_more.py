"""The rarer ``berth-runtime`` verbs: list, ps, pause, resume, update, events, spec, features."""

from __future__ import annotations

import json
import os
import sys

from berth.errdefs import Conflict, InvalidArgument
from berth.runtime import cliparse

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

UPDATE: cliparse.Spec = {
    "--resources": ("resources", "str"), "-r": ("resources", "str"),
    "--blkio-weight": ("blkio_weight", "int"), "--cpu-period": ("cpu_period", "int"),
    "--cpu-quota": ("cpu_quota", "int"), "--cpu-share": ("cpu_share", "int"),
    "--cpu-rt-period": ("cpu_rt_period", "int"), "--cpu-rt-runtime": ("cpu_rt_runtime", "int"),
    "--cpuset-cpus": ("cpuset_cpus", "str"), "--cpuset-mems": ("cpuset_mems", "str"),
    "--memory": ("memory", "str"), "--memory-reservation": ("memory_reservation", "str"),
    "--memory-swap": ("memory_swap", "str"), "--pids-limit": ("pids_limit", "int"),
}
_UNITS = {"": 1, "b": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}


def cmd_list(root: str, g: dict[str, Any], args: list[str]) -> int:
    from berth.runtime.ops import list_states
    o, _ = cliparse.parse(args, {"--format": ("format", "str"), "-f": ("format", "str"),
                                 "--quiet": ("quiet", "bool"), "-q": ("quiet", "bool")})
    states = list_states(root)
    if o["quiet"]:
        for s in states:
            print(s["id"])
    elif o["format"] == "json":
        print(json.dumps(states))
    else:
        rows = [("ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER")]
        rows += [(s["id"], str(s["pid"]), s["status"], s["bundle"], s["created"], s["owner"])
                 for s in states]
        widths = [max(len(r[i]) for r in rows) for i in range(6)]
        for r in rows:
            print("   ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    return 0


def cmd_ps(root: str, g: dict[str, Any], args: list[str]) -> int:
    from berth.runtime.ops import pids
    o, pos = cliparse.parse(args, {"--format": ("format", "str"), "-f": ("format", "str")},
                            stop_after=1)
    if not pos:
        raise InvalidArgument("ps: requires a container id")
    found = pids(root, pos[0])
    if o["format"] == "json":
        print(json.dumps(found))
        return 0
    import subprocess
    out = subprocess.run(["ps", *(pos[1:] or ["-ef"])], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    header = out[0].split()
    col = header.index("PID")
    print(out[0])
    for line in out[1:]:
        fields = line.split()
        if len(fields) > col and fields[col].isdigit() and int(fields[col]) in found:
            print(line)
    return 0


def cmd_pause(root: str, g: dict[str, Any], args: list[str]) -> int:
    from berth.runtime.ops import pause
    _, pos = cliparse.parse(args, {})
    pause(root, _id(pos, "pause"))
    return 0


def cmd_resume(root: str, g: dict[str, Any], args: list[str]) -> int:
    from berth.runtime.ops import resume
    _, pos = cliparse.parse(args, {})
    resume(root, _id(pos, "resume"))
    return 0


def cmd_update(root: str, g: dict[str, Any], args: list[str]) -> int:
    from berth.runtime.ops import update
    o, pos = cliparse.parse(args, UPDATE)
    update(root, _id(pos, "update"), update_resources(o))
    return 0


def update_resources(o: dict[str, Any]) -> dict[str, Any]:
    """runc update's flags (or ``-r`` JSON) → OCI ``linux.resources``."""
    if o.get("resources"):
        src = o["resources"]
        try:
            with (sys.stdin if src == "-" else open(src)) as f:
                given = json.load(f)
        except (OSError, ValueError) as e:
            raise InvalidArgument(f"--resources {src}: {e}") from None
        if not isinstance(given, dict):
            raise InvalidArgument(f"--resources {src}: expected a JSON object")
        return given
    res: dict[str, Any] = {}
    cpu = {k: o[f] for k, f in (("shares", "cpu_share"), ("quota", "cpu_quota"),
                                 ("period", "cpu_period"), ("realtimePeriod", "cpu_rt_period"),
                                 ("realtimeRuntime", "cpu_rt_runtime"),
                                 ("cpus", "cpuset_cpus"), ("mems", "cpuset_mems"))
           if o.get(f) is not None}
    mem = {k: size(o[f], f) for k, f in (("limit", "memory"), ("reservation",
                                                               "memory_reservation"),
                                         ("swap", "memory_swap")) if o.get(f) is not None}
    if cpu:
        res["cpu"] = cpu
    if mem:
        res["memory"] = mem
    if o.get("pids_limit") is not None:
        res["pids"] = {"limit": o["pids_limit"]}
    if o.get("blkio_weight") is not None:
        res["blockIO"] = {"weight": o["blkio_weight"]}
    if not res:
        raise InvalidArgument("update: no resources given")
    return res


def size(text: str, flag: str) -> int:
    """``512m``, ``1g``, ``-1`` → bytes (binary units, as runc)."""
    t = text.strip().lower().removesuffix("b") if text.strip() not in ("-1",) else "-1"
    num, unit = (t[:-1], t[-1]) if t and t[-1] in "kmgt" else (t, "")
    try:
        return int(float(num) * _UNITS[unit]) if num != "-1" else -1
    except ValueError:
        raise InvalidArgument(f"--{flag.replace('_', '-')}: invalid size {text!r}") from None


def cmd_events(root: str, g: dict[str, Any], args: list[str]) -> int:
    """runc events: ``--stats`` prints one record; otherwise stream stats and OOM kills."""
    from berth.runtime import events
    from berth.runtime.ops import stats
    o, pos = cliparse.parse(args, {"--stats": ("stats", "bool"),
                                   "--interval": ("interval", "str")})
    cid = _id(pos, "events")
    if o["stats"]:
        events.print_event(stats(root, cid))
        return 0
    events.stream(root, cid, _seconds(o["interval"] or "5s"), events.print_event)
    return 0


def _seconds(text: str) -> float:
    """Go-style durations runc accepts for --interval: ``5s``, ``500ms``, ``1m``."""
    for unit, scale in (("ms", 0.001), ("s", 1.0), ("m", 60.0)):
        if text.endswith(unit) and not (unit == "s" and text.endswith("ms")):
            text, factor = text[: -len(unit)], scale
            break
    else:
        factor = 1.0
    try:
        value = float(text) * factor
    except ValueError:
        raise InvalidArgument(f"--interval {text!r}: not a duration") from None
    if value <= 0:
        raise InvalidArgument("--interval: must be positive")
    return value


def cmd_spec(root: str, g: dict[str, Any], args: list[str]) -> int:
    from berth.runtime.spec import default_spec
    o, _ = cliparse.parse(args, {"--bundle": ("bundle", "str"), "-b": ("bundle", "str"),
                                 "--rootless": ("rootless", "bool")})
    path = os.path.join(o["bundle"] or ".", "config.json")
    if os.path.exists(path):
        raise Conflict("File config.json exists. Remove it first")
    data = json.dumps(default_spec(rootless=bool(o["rootless"])), indent="\t")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    with os.fdopen(fd, "w") as f:
        f.write(data)
    return 0


def cmd_features(root: str, g: dict[str, Any], args: list[str]) -> int:
    from berth.runtime.features import features
    print(json.dumps(features(), indent=4))
    return 0


def _id(pos: list[str], cmd: str) -> str:
    if not pos:
        raise InvalidArgument(f"{cmd}: requires a container id")
    return pos[0]
