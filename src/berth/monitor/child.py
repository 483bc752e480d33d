"""Runtime work in throwaway children of the monitor (memory: docs/design/monitor.md).

Every call into ``berth.runtime`` (create, start, the clean-up after the init exits) runs
in a child the monitor forks and reaps at once (``call``): the runtime's code walks many
objects, and each refcount write would copy a page the monitor shares with the spawner.
In a child those copies die with it; the monitor keeps the small footprint of its loop.

The child writes one JSON line (``{"ok": true, "result": …}`` or an error reply, see
``records.error_reply``) to a pipe and exits; the parent waits for the exit first and
then reads what is in the pipe (the container's init, forked from the child, holds a copy
of the write end until it execs, so EOF cannot be waited for). Results stay small (well
under the pipe's 64 KiB), so the child never blocks writing them. The monitor is a child
subreaper: an init created here is re-parented to it when this child exits.
"""

from __future__ import annotations

import json
import os
import signal

from berth.monitor import records

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

MAX_RESULT = 1 << 15


def call(fn: Callable[..., Any], *args: Any) -> dict[str, Any]:
    """``fn(*args)`` in a forked child: ``{"ok": True, "result": r}`` or an error reply."""
    r, w = os.pipe2(os.O_CLOEXEC)
    try:
        pid = os.fork()
    except OSError:
        os.close(r)
        os.close(w)
        raise
    if pid == 0:
        _run(w, fn, args)
    os.close(w)
    try:
        _, status = os.waitpid(pid, 0)
        os.set_blocking(r, False)
        data = b""
        try:
            while chunk := os.read(r, 1 << 16):
                data += chunk
        except BlockingIOError:
            pass
    finally:
        os.close(r)
    line = data.partition(b"\n")[0]
    if line:
        reply: dict[str, Any] = json.loads(line)
        return reply
    how = (f"killed by signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status)
           else f"exit status {os.waitstatus_to_exitcode(status)}")
    return {"ok": False, "kind": "Unavailable", "exit_code": 125,
            "error": f"the monitor's runtime helper died ({how})"}


def _run(w: int, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    code = 0
    try:
        try:
            signal.set_wakeup_fd(-1)  # the monitor's SIGCHLD pipe is not ours
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            msg = {"ok": True, "result": fn(*args)}
        except BaseException as e:
            msg, code = records.error_reply(e), 1
        data = records.encode(msg)
        if len(data) > MAX_RESULT:
            data = records.encode({"ok": False, "kind": "BerthError", "exit_code": 125,
                                   "error": "runtime helper: result too large"})
        os.write(w, data)
    finally:
        os._exit(code)


# --- what the children run ----------------------------------------------------------
def create(runtime_root: str, cid: str, bundle: str, stdio: list[int],
           console: str | None, seccomp_cache: str | None = None) -> dict[str, Any]:
    """``berth.runtime.create`` with ``stdio`` as fds 0/1/2 (runc semantics: the init
    inherits the caller's) and SIGPIPE at its default (Python ignores it, and an ignored
    signal stays ignored over execve). Returns what the monitor needs of the state.
    ``seccomp_cache``: the runtime's on-disk filter cache (this child's memory dies with
    it, so without one every container would compile its profile again)."""
    from berth.runtime.create import Options
    from berth.runtime.create import create as runtime_create
    for fd, src in enumerate(stdio):
        os.dup2(src, fd)
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    state = runtime_create(runtime_root, cid, bundle,
                           Options(console_socket=console, detach=True,
                                   seccomp_cache=seccomp_cache))
    return {"pid": state["pid"], "cgroupPaths": state.get("cgroupPaths") or {}}


def start(runtime_root: str, cid: str) -> None:
    from berth.runtime.start import start as runtime_start
    runtime_start(runtime_root, cid)


def delete(runtime_root: str, cid: str) -> None:
    from berth.runtime.ops import delete as runtime_delete
    runtime_delete(runtime_root, cid, force=True)


def after_exit(runtime_root: str, cid: str, cgroup_paths: dict[str, str]) -> dict[str, Any]:
    """Once the init has exited: its cgroup's OOM kills, then delete the container (kills
    stragglers, removes the cgroup and the state). ``{"oom": bool, "error": str}``."""
    from berth.errdefs import BerthError
    oom = False
    if cgroup_paths:
        try:
            from berth.runtime.cgroups import from_paths
            oom = from_paths(cgroup_paths).oom_kill_count() > 0
        except (OSError, BerthError, ValueError):
            pass
    error = ""
    try:
        delete(runtime_root, cid)
    except Exception as e:
        error = f"cleaning up the container failed: {e}"
    return {"oom": oom, "error": error}


def exec_process(runtime_root: str, cid: str, process: dict[str, Any], stdio: list[int],
                 console: str | None, seccomp_cache: str | None = None) -> int:
    """``berth.runtime.exec_process`` with ``stdio`` as fds 0/1/2 (as ``create``); the
    exec'd process's pid once it has execve'd (it is re-parented to the monitor)."""
    from berth.runtime.execproc import exec_process as runtime_exec
    for fd, src in enumerate(stdio):
        os.dup2(src, fd)
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    return runtime_exec(runtime_root, cid, process, console_socket=console,
                        seccomp_cache=seccomp_cache)
