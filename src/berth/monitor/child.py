"""Runtime work in throwaway children of a Python monitor (memory: docs/design/monitor.md).

An exec monitor stays Python for its process's life, so its calls into ``berth.runtime``
(the exec'd process, a clean-up ``delete``) run in a child it forks and reaps at once
(``call``): the runtime's code walks many objects, and each refcount write would copy a
page the monitor shares with the spawner. In a child those copies die with it. A
container's monitor calls ``create`` in its own set-up process instead
(``monitor.Setup``): that process execve's berth-monitor right after, which drops every
copied page, and one fork fewer is 3-5 ms off each start. (A container's ``start`` and
clean-up are the native monitor's: ``native/exit.c``, ``helper``.)

The child writes one JSON line (``{"ok": true, "result": …}`` or an error reply, see
``records.error_reply``) to a pipe and exits; the parent waits for the exit first and
then reads what is in the pipe (a process forked from the child holds a copy of the
write end until it execs, so EOF cannot be waited for). Results stay small (well under
the pipe's 64 KiB), so the child never blocks writing them. The monitor is a child
subreaper: a process created here is re-parented to it when this child exits.

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
    data = b""
    try:
        _, status = os.waitpid(pid, 0)
        os.set_blocking(r, False)
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
    signal stays ignored over execve). Returns what the native monitor needs: the init's
    pid, the exec fifo, the OOM counter file and its count now, whether there are
    poststart hooks. ``seccomp_cache``: the runtime's on-disk filter cache (this child's
    memory dies with it, so without one every container would compile its profile again).

    The id may still be taken by the same container's previous run, whose monitor's
    clean-up (``helper``) is deleting it (a restart right after the exit): then wait for
    that clean-up's lock on the runtime dir, delete what a failed clean-up left, and
    create again. A live container keeps the id (Conflict, as always)."""
    from berth.errdefs import Conflict
    from berth.runtime.create import Options
    from berth.runtime.create import create as runtime_create
    for fd, src in enumerate(stdio):
        os.dup2(src, fd)
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    opts = Options(console_socket=console, detach=True, seccomp_cache=seccomp_cache)
    try:
        state = runtime_create(runtime_root, cid, bundle, opts)
    except Conflict:
        if not _previous_run_gone(runtime_root, cid):
            raise
        state = runtime_create(runtime_root, cid, bundle, opts)
    return _for_monitor(runtime_root, cid, state)


def _for_monitor(runtime_root: str, cid: str, state: dict[str, Any]) -> dict[str, Any]:
    from berth.runtime import hooks
    from berth.runtime.state import StateStore
    config = state.get("config") or {}
    paths = state.get("cgroupPaths") or {}
    out = {"pid": state["pid"], "fifo": os.path.join(StateStore(runtime_root).dir(cid),
                                                     "exec.fifo"),
           "oom_file": "", "oom_base": 0,
           "poststart": bool(hooks.hooks_of(config, "poststart")),
           # the native delete after the exit (native/delete.c): the cgroup dirs the
           # runtime's delete removes (v1: one per hierarchy, plus the unified one), and
           # whether poststop hooks force the Python helper instead
           "poststop": bool(hooks.hooks_of(config, "poststop")),
           "cgroups": list(dict.fromkeys(paths.values()))}
    if paths:
        from berth.runtime.cgroups import from_paths
        cg: Any = from_paths(paths)
        if set(paths) == {""}:
            out["oom_file"] = f"{cg.path}/memory.events"
        elif "memory" in paths:
            out["oom_file"] = f"{cg.dirs['memory']}/memory.oom_control"
        try:
            out["oom_base"] = cg.oom_kill_count()
        except Exception:
            pass
    return out


CLEANUP_WAIT = 15.0  # a monitor drains output for 2 s, then its clean-up deletes


def _previous_run_gone(runtime_root: str, cid: str) -> bool:
    """After a Conflict: True once a stopped previous run of ``cid`` is gone (its
    monitor's clean-up finished, or we deleted what it left), so create can retry."""
    import fcntl
    import time

    from berth.errdefs import BerthError, NotFound
    from berth.runtime.container import Container
    from berth.runtime.ops import delete as runtime_delete
    from berth.runtime.state import StateStore
    try:
        if Container(StateStore(runtime_root), cid).status() != "stopped":
            return False  # a live container has the id
    except BerthError:
        pass  # half-written or half-removed state: the lock tells
    try:
        fd = os.open(os.path.join(runtime_root, cid), os.O_RDONLY | os.O_DIRECTORY)
    except FileNotFoundError:
        return True  # deleted meanwhile
    try:
        deadline, delay = time.monotonic() + CLEANUP_WAIT, 0.002
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(delay)
                delay = min(delay * 2, 0.05)
        if not os.path.isdir(os.path.join(runtime_root, cid)):
            return True
        try:
            if Container(StateStore(runtime_root), cid).status() != "stopped":
                return False
        except BerthError:
            pass
        try:
            runtime_delete(runtime_root, cid, force=True)
        except NotFound:  # a state dir without state.json: what a cut removal leaves
            StateStore(runtime_root).remove(cid)
        return True
    finally:
        os.close(fd)


def delete(runtime_root: str, cid: str) -> None:
    from berth.runtime.ops import delete as runtime_delete
    runtime_delete(runtime_root, cid, force=True)


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
