"""``exec``: start another process inside a running container's namespaces and cgroup."""

from __future__ import annotations

import os

from berth.errdefs import FailedPrecondition
from berth.oci.runtime import validate_process
from berth.runtime.channel import ChildError
from berth.runtime.container import Container
from berth.runtime.init import container_init
from berth.runtime.launch import Launch
from berth.runtime.spawn import Spawned, spawn
from berth.runtime.state import StateStore, write_atomic
from berth.sys import ns

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def exec_process(root: str, cid: str, proc: dict[str, Any], *, pid_file: str | None = None,
                 console_socket: str | None = None, preserve_fds: int = 0,
                 seccomp_cache: str | None = None) -> int:
    """Start ``proc`` in ``cid``; returns its pid once it has execve'd.

    To wait for it the caller must be a child subreaper (``berth.sys.prctl``): with a
    pid namespace the process is a grandchild.
    """
    c = Container(StateStore(root), cid)
    status = c.status()
    if status not in ("created", "running"):
        raise FailedPrecondition(f"container {cid}: cannot exec in a {status} container")
    validate_process(proc, "process")
    cfg = c.config
    join = {}
    for entry in (cfg.get("linux") or {}).get("namespaces") or ():
        t = entry["type"]
        if t == "user" and not _own_userns(c.pid):
            continue
        join[t] = f"/proc/{c.pid}/ns/{ns.NAMESPACES[t][1]}"
    launch = Launch(cid, cfg, proc, exec_mode=True, preserve_fds=preserve_fds, join=join)
    launch.seccomp_cache = seccomp_cache  # see create.Options.seccomp_cache
    console = None
    if proc.get("terminal"):
        if not console_socket:
            raise FailedPrecondition("exec with a terminal needs --console-socket")
        from berth.runtime.tty import connect_console_socket
        console = connect_console_socket(console_socket)
    cg = c.cgroup()
    sp = Spawned(0)
    try:
        sp, ch = spawn(launch, container_init, console=console, spawned=sp, cgroup=cg)
        _wait_exec(ch)
    finally:
        if console is not None:
            console.close()
    if pid_file:
        write_atomic(os.path.abspath(pid_file), str(sp.init).encode(), 0o644)
    return sp.init


def _wait_exec(ch: Any) -> None:
    """EOF on the close-on-exec channel means execve succeeded; else the child says why."""
    try:
        msg, _ = ch.recv()
        if msg["t"] == "error":
            raise ChildError(msg["msg"], msg.get("code", 1))
    finally:
        ch.close()


def _own_userns(pid: int) -> bool:
    """True if the container's init is in a user namespace other than ours."""
    return os.stat(f"/proc/{pid}/ns/user").st_ino != os.stat("/proc/self/ns/user").st_ino


def exec_config_process(cfg: dict[str, Any], args: list[str], *, env: list[str] | None = None,
                        cwd: str | None = None, user: str | None = None,
                        caps: list[str] | None = None, tty: bool = False,
                        no_new_privs: bool | None = None) -> dict[str, Any]:
    """runc exec without --process: the container's process with the flags' changes."""
    base = dict(cfg.get("process") or {})
    proc: dict[str, Any] = {
        "args": args, "cwd": cwd or base.get("cwd", "/"), "terminal": tty,
        "env": _merge_env(base.get("env") or [], env or []),
        "user": dict(base.get("user") or {"uid": 0, "gid": 0}),
        "capabilities": {k: list(v) for k, v in (base.get("capabilities") or {}).items()},
        "noNewPrivileges": base.get("noNewPrivileges", False) if no_new_privs is None
        else no_new_privs,
    }
    for key in ("apparmorProfile", "selinuxLabel", "rlimits", "oomScoreAdj"):
        if key in base:
            proc[key] = base[key]
    if user:
        uid, _, gid = user.partition(":")
        proc["user"] = {"uid": int(uid), "gid": int(gid or 0)}
    for cap in caps or ():
        name = cap.upper() if cap.upper().startswith("CAP_") else f"CAP_{cap.upper()}"
        for key in ("bounding", "effective", "permitted", "inheritable"):
            proc["capabilities"].setdefault(key, [])
            if name not in proc["capabilities"][key]:
                proc["capabilities"][key].append(name)
    return proc


def _merge_env(base: list[str], extra: list[str]) -> list[str]:
    out = {e.split("=", 1)[0]: e for e in base}
    out.update({e.split("=", 1)[0]: e for e in extra})
    return list(out.values())
