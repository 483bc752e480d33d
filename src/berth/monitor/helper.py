"""Runtime work the native monitor hands to a Python one-shot (``berth-monitor`` runs
``python -I -S -c … <what> <runtime-root> <id> <init-pid>``, ``handover.helper_argv``).

- ``poststart``: the spec's poststart hooks, right after the start op released the init,
  as ``berth.runtime.start`` runs them (a failing hook is a warning, not an error).
- ``cleanup``: after the exit is recorded and the waiters have their answer,
  ``berth.runtime`` ``delete(force)``: kill stragglers, remove the cgroup and the state.
  Only for specs with poststop hooks, or when berth-monitor's own delete
  (``native/delete.c``) met something it leaves to the runtime.
  The native monitor hands this process the runtime dir's lock (``flock`` on
  ``<runtime-root>/<id>``; ``monitor.Setup`` took it after ``create``), so a new
  ``create`` of the same id (a restart) waits until this is done (``child.create``).
  Only the container whose init was ``<init-pid>`` is deleted. berthd may delete the same
  container at the same time (``docker rm`` right after the exit): both are force
  deletes of a stopped container, and whichever comes second finds nothing left.
Exit status 0 on success; errors go to stderr (the monitor's /dev/null) and status 1.
"""

from __future__ import annotations

import sys


def poststart(root: str, cid: str) -> None:
    from berth.errdefs import FailedPrecondition
    from berth.runtime import hooks
    from berth.runtime.container import Container
    from berth.runtime.state import StateStore
    c = Container(StateStore(root), cid)
    try:
        if hooks.hooks_of(c.config, "poststart"):
            hooks.run_hooks(c.config, "poststart", dict(c.public_state(), status="running"))
    except FailedPrecondition as e:
        print(f"berth-runtime: warning: {e}", file=sys.stderr)


def cleanup(root: str, cid: str, init_pid: int) -> None:
    from berth.errdefs import NotFound
    from berth.runtime.ops import delete
    from berth.runtime.state import StateStore, UnreadableState
    try:
        state = StateStore(root).load(cid)
    except NotFound:
        return  # berthd removed it first
    except UnreadableState:
        state = {"pid": init_pid}  # delete() removes it
    if int(state.get("pid") or 0) != init_pid:
        return  # not ours: a new container of the same id
    try:
        delete(root, cid, force=True)
    except NotFound:
        pass


def main(argv: list[str]) -> int:
    if len(argv) != 4 or argv[0] not in ("poststart", "cleanup"):
        print("usage: helper poststart|cleanup <runtime-root> <id> <init-pid>",
              file=sys.stderr)
        return 2
    what, root, cid, pid = argv
    try:
        if what == "poststart":
            poststart(root, cid)
        else:
            cleanup(root, cid, int(pid))
    except Exception as e:
        print(f"berth-monitor {what}: {cid}: {e}", file=sys.stderr)
        return 1
    return 0
