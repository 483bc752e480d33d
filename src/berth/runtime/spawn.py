"""The parent side of process creation: fork, then serve the child's requests.

``spawn`` forks the intermediate child (see ``nsenter``) and answers its messages. The
child is born in the cgroup2 dir (clone3) and joins the v1 hierarchies itself (see
``cgroups.manager``); ``create`` writes resources before the fork, ``after_fork`` runs
before ``go``; the parent writes uid/gid maps on
``userns``, makes idmapped mounts on ``idmap``, runs prestart/createRuntime hooks on
``hooks``, forwards the pty master on ``console``, and returns the init's pid on
``ready``. Any ``error`` (or the child vanishing) raises, after the caller's cleanup
kills what was started.

Forking needs a single-threaded caller: a lock held by another thread at fork time
stays held forever in the child.
"""

from __future__ import annotations

import os

from berth.runtime import hooks
from berth.runtime.channel import Channel, ChildError
from berth.runtime.launch import Launch
from berth.runtime.nsenter import child_main

TYPE_CHECKING = False
if TYPE_CHECKING:
    import socket
    from collections.abc import Callable
    from typing import Any


class Spawned:
    """What the parent knows about a child it started."""

    def __init__(self, child: int) -> None:
        self.child = child          # the intermediate (or the init itself, without a fork)
        self.init = 0               # the container init / exec'd process
        self.reaped = False


def spawn(launch: Launch, init: Callable[[Launch, Channel], None], *, cgroup: Any,
          after_fork: Callable[[int], None] | None = None,
          state_for_hooks: Callable[[int], dict[str, Any]] | None = None,
          console: socket.socket | None = None,
          spawned: Spawned | None = None) -> tuple[Spawned, Channel]:
    """Fork into ``cgroup`` (a manager, or None) and drive the child up to ``ready``.

    ``after_fork(pid)`` runs in the parent before the child may go on (cgroup limits).
    Returns the pids and the open channel.
    """
    if launch.linux.get("seccomp"):
        # compile (import berth.runtime.seccomp, dlopen libseccomp) before the fork: the
        # child inherits the cached BPF, since after pivot_root or joining the container's
        # mount namespace it can no longer reach the host's modules and libraries
        from pathlib import Path

        from berth.runtime import seccomp
        cache = Path(launch.seccomp_cache) if launch.seccomp_cache else None
        launch.seccomp_bpf = seccomp.compile_filter(launch.linux["seccomp"], cache_dir=cache)
    launch.cgroup_tasks = cgroup.thread_files() if cgroup is not None else []
    birth = cgroup.birth_dir() if cgroup is not None else None
    mine, theirs = Channel.pair()
    pid, born = _fork(birth, launch)
    if pid == 0:
        mine.close()
        child_main(launch, theirs, init)
    theirs.close()
    sp = spawned if spawned is not None else Spawned(pid)
    sp.child = pid
    try:
        if birth is not None and not born:
            from berth.runtime.cgroups import _fs
            _fs.write(birth / "cgroup.procs", pid, f"cgroup {birth}")
        if after_fork is not None:
            after_fork(pid)
        mine.send("go")
        _serve(launch, mine, sp, state_for_hooks, console)
    except BaseException:
        mine.close()
        raise
    return sp, mine


def _fork(birth_dir: Any, launch: Launch) -> tuple[int, bool]:
    """(pid, born in ``birth_dir``): clone3 into the cgroup2 dir and the new namespaces
    ``launch.birth_flags()`` allows; plain fork (the child unshares) when it cannot."""
    flags = launch.birth_flags()
    if birth_dir is None and not flags:
        return os.fork(), False
    from berth.sys.clone import clone_fork
    fd = -1
    if birth_dir is not None:
        try:
            fd = os.open(birth_dir, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError:
            fd = -1
    launch.born_in = flags  # before the clone: the child reads it from its copy
    try:
        return clone_fork(flags, fd), fd != -1
    except OSError:
        launch.born_in = 0
        return os.fork(), False
    finally:
        if fd != -1:
            os.close(fd)


def _serve(launch: Launch, ch: Channel, sp: Spawned,
           state_for_hooks: Callable[[int], dict[str, Any]] | None,
           console: socket.socket | None) -> None:
    while True:
        msg, fds = ch.recv()
        kind = msg["t"]
        if kind == "userns":
            write_id_maps(sp.child, launch.linux)
            ch.send("mapped")
        elif kind == "init":
            sp.init = msg["pid"] or sp.child
            if sp.init != sp.child:
                reap(sp)
        elif kind == "idmap":
            from berth.runtime.idmap import idmapped_mounts
            made = idmapped_mounts(launch, msg["idx"], sp.init)
            ch.send("idmapped", fds=made, idx=msg["idx"])
            for fd in made:
                os.close(fd)
        elif kind == "hooks":
            state = state_for_hooks(sp.init) if state_for_hooks else {}
            hooks.run_hooks(launch.cfg, "prestart", state)
            hooks.run_hooks(launch.cfg, "createRuntime", state)
            ch.send("hooked", state=state)
        elif kind == "console":
            _forward_console(fds, console)
        elif kind == "ready":
            return
        elif kind == "error":
            raise ChildError(msg["msg"], msg.get("code", 1))
        else:
            status = reap(sp) if not sp.reaped else None
            raise ChildError(f"container process exited during setup ({_how(status)})")


def _forward_console(fds: list[int], console: socket.socket | None) -> None:
    from berth.runtime.tty import send_console
    try:
        if console is None:
            raise ChildError("process.terminal is set but there is no console socket")
        send_console(console, fds[0])
    finally:
        for fd in fds:
            os.close(fd)


def reap(sp: Spawned) -> int | None:
    """Wait for the intermediate child; returns its wait status."""
    if sp.reaped:
        return None
    _, status = os.waitpid(sp.child, 0)
    sp.reaped = True
    return status


def _how(status: int | None) -> str:
    if status is None:
        return "status unknown"
    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"


def write_id_maps(pid: int, linux: dict[str, Any]) -> None:
    """Write ``linux.uidMappings``/``gidMappings`` for ``pid`` (needed: a new user ns)."""
    for kind, field in (("gid", "gidMappings"), ("uid", "uidMappings")):
        maps = linux.get(field) or []
        if not maps:
            raise ChildError(f"linux.{field}: required when creating a user namespace")
        text = "".join(f"{m['containerID']} {m['hostID']} {m['size']}\n" for m in maps)
        try:
            with open(f"/proc/{pid}/{kind}_map", "w") as f:
                f.write(text)
        except OSError as e:
            raise ChildError(f"linux.{field}: writing {kind}_map: {e.strerror}") from None
