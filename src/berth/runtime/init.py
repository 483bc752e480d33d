"""The container init: from fresh namespaces to execve of ``process.args``.

For a container (``create``) it builds the rootfs, pivots into it, sets hostname and
sysctls, makes the terminal, turns itself into the configured process, reports
``ready`` and then blocks opening the exec fifo until ``start`` reads it. For ``exec``
it skips the filesystem work (the mount namespace it joined is already the
container's) and execs as soon as it is ready.
"""

from __future__ import annotations

import os

from berth.runtime import hooks, process, rootfs
from berth.runtime.channel import Channel
from berth.runtime.errors import ExecDenied, ExecNotFound
from berth.runtime.launch import Launch
from berth.sys import mount, ns, prctl

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def container_init(launch: Launch, ch: Channel) -> None:
    """Run in the forked init; ends in execve (errors propagate to the caller's handler)."""
    os.setsid()
    _close_inherited(3 + launch.preserve_fds, keep={ch.fileno(), launch.state_dirfd})
    cfg, proc = launch.cfg, launch.proc
    state: dict[str, Any] = {}
    dirfd = -1
    if not launch.exec_mode:
        dirfd = launch.state_dirfd
        state = _setup_container(launch, ch)
    if proc.get("terminal"):
        from berth.runtime import tty  # socket + termios: only for terminals
        master, slave = tty.open_pty(proc.get("consoleSize"))
        ch.send("console", fds=[master])
        os.close(master)
        tty.make_controlling(slave)
    pers = launch.linux.get("personality")
    if pers:
        prctl.personality(prctl.PERSONALITY.get(pers["domain"], 0))
    if not launch.exec_mode and not launch.no_new_keyring:
        mount.join_session_keyring(launch.cid)
    env = _env(proc)
    process.finalize(proc, launch.linux.get("seccomp"), bpf=launch.seccomp_bpf)
    _chdir(proc["cwd"])
    path = lookup(proc["args"][0], env)
    ch.send("ready")
    if launch.exec_mode:
        _exec(path, proc["args"], env, ch)
    ch.close()
    fifo = os.open("exec.fifo", os.O_WRONLY | os.O_CLOEXEC, dir_fd=dirfd)
    os.write(fifo, b"0")
    os.close(fifo)
    os.close(dirfd)
    if launch.has_hooks("startContainer"):
        hooks.run_hooks(cfg, "startContainer", dict(state, status="running"))
    _exec(path, proc["args"], env, None)


def _setup_container(launch: Launch, ch: Channel) -> dict[str, Any]:
    """Filesystem, hooks, hostname, sysctls: the part only a new container needs."""
    cfg = launch.cfg
    if "mount" in launch.new:
        rootfs.prepare(cfg, launch.rootfs, launch.bundle, userns=_in_userns(launch),
                       cgroupns="cgroup" in launch.new, idmapped=_idmapped(launch, ch))
    state: dict[str, Any] = {}
    if launch.has_hooks("prestart", "createRuntime", "createContainer", "startContainer"):
        ch.send("hooks")
        state = ch.expect("hooked")["state"]
        hooks.run_hooks(cfg, "createContainer", state)
    if "mount" in launch.new:
        rootfs.pivot(launch.rootfs, no_pivot=launch.no_pivot)
    if cfg.get("hostname"):
        ns.sethostname(cfg["hostname"])
    if cfg.get("domainname"):
        ns.setdomainname(cfg["domainname"])
    for key, value in (launch.linux.get("sysctl") or {}).items():
        _sysctl(key, value)
    if "mount" in launch.new:
        rootfs.finish(cfg)
    return state


def _in_userns(launch: Launch) -> bool:
    return "user" in launch.new or "user" in launch.join


def _idmapped(launch: Launch, ch: Channel) -> dict[int, int]:
    """Ask the parent (in the host user namespace) for detached idmapped bind mounts."""
    wanted = [i for i, m in enumerate(launch.cfg.get("mounts") or ())
              if {"idmap", "ridmap"} & set(m.get("options") or ())]
    if not wanted:
        return {}
    ch.send("idmap", idx=wanted)
    msg, fds = ch.recv()
    if msg["t"] == "error":
        from berth.runtime.channel import ChildError
        raise ChildError(msg["msg"])
    return dict(zip(msg["idx"], fds, strict=True))


def _sysctl(key: str, value: str) -> None:
    path = "/proc/sys/" + key.replace(".", "/")
    try:
        with open(path, "w") as f:
            f.write(value)
    except OSError as e:
        raise OSError(e.errno, f"linux.sysctl {key}={value}: {e.strerror}") from None


def _env(proc: dict[str, Any]) -> dict[str, str]:
    env = dict(e.split("=", 1) if "=" in e else (e, "") for e in proc.get("env") or ())
    if "HOME" not in env:
        env["HOME"] = _home((proc.get("user") or {}).get("uid", 0))
    return env


def _home(uid: int) -> str:
    try:
        with open("/etc/passwd") as f:
            for line in f:
                parts = line.split(":")
                if len(parts) > 5 and parts[2] == str(uid):
                    return parts[5] or "/"
    except OSError:
        pass
    return "/"


def _chdir(cwd: str) -> None:
    try:
        os.chdir(cwd)
    except OSError as e:
        raise OSError(e.errno, f"process.cwd {cwd}: {e.strerror}") from None


def lookup(prog: str, env: dict[str, str]) -> str:
    """The file execve will run, resolved in the container as the container user."""
    if "/" in prog:
        cands = [prog]
    else:
        cands = [os.path.join(d or ".", prog) for d in env.get("PATH", DEFAULT_PATH).split(":")]
    for cand in cands:
        if os.path.isfile(cand):
            if not os.access(cand, os.X_OK):
                raise ExecDenied(f'exec: "{prog}": permission denied')
            return cand
    if "/" in prog:
        raise ExecNotFound(f'exec: "{prog}": stat {prog}: no such file or directory')
    raise ExecNotFound(f'exec: "{prog}": executable file not found in $PATH')


def _exec(path: str, args: list[str], env: dict[str, str], ch: Channel | None) -> None:
    try:
        os.execve(path, args, env)
    except OSError as e:
        msg = f'exec: "{args[0]}": {e.strerror}'
        code = 127 if e.errno == 2 else 126
        if ch is not None:
            ch.fail(msg, code)
        else:
            os.write(2, f"berth-runtime: {msg}\n".encode())
        os._exit(code)


def _close_inherited(first: int, keep: set[int]) -> None:
    """Mark every fd from ``first`` up close-on-exec (the fd-leak lesson of runc's CVEs)."""
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd >= first and fd not in keep:
            try:
                os.set_inheritable(fd, False)
            except OSError:
                pass
    for fd in range(3, first):
        try:
            os.set_inheritable(fd, True)
        except OSError:
            pass
