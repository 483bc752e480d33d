"""``create``: everything up to an init blocked on the exec fifo, and a state file.

Steps: validate the bundle, reserve ``<root>/<id>``, make the exec fifo, create the
cgroup, fork and drive the init (see ``spawn``), record the state. Any failure undoes
what was done (kills the init, removes the cgroup and the directory) and raises.
"""

from __future__ import annotations

import os
import time

from berth._util import fastjson
from berth.errdefs import InvalidArgument
from berth.oci.runtime import OCI_VERSION, load_config
from berth.runtime.container import proc_start_time, wait_pid_gone
from berth.runtime.init import container_init
from berth.runtime.launch import Launch, from_config
from berth.runtime.signals import SIGKILL
from berth.runtime.spawn import Spawned, reap, spawn
from berth.runtime.state import StateStore, rfc3339, write_atomic

TYPE_CHECKING = False
if TYPE_CHECKING:
    import socket
    from typing import Any

    from berth.runtime.state import StrPath


class Options:
    """The knobs of ``create``/``run`` beyond the bundle (runc's flags)."""

    def __init__(self, *, pid_file: str | None = None, console_socket: str | None = None,
                 no_pivot: bool = False, no_new_keyring: bool = False, preserve_fds: int = 0,
                 systemd_cgroup: bool = False, detach: bool = True,
                 seccomp_cache: str | None = None) -> None:
        self.pid_file, self.console_socket = pid_file, console_socket
        #: a directory for compiled seccomp filters (``seccomp.compile_filter``): callers
        #: that create each container from a fresh process (berth's monitors) skip
        #: libseccomp after the first container with a given profile
        self.seccomp_cache = seccomp_cache
        self.no_pivot, self.no_new_keyring = no_pivot, no_new_keyring
        self.preserve_fds, self.systemd_cgroup, self.detach = preserve_fds, systemd_cgroup, detach


def check_config(cfg: dict[str, Any], bundle: str) -> tuple[str, dict[str, Any]]:
    """Semantic checks the schema cannot make; returns (rootfs, process)."""
    proc = cfg.get("process")
    if not proc:
        raise InvalidArgument("config.json: process: required to create a container")
    root = (cfg.get("root") or {}).get("path")
    if not root:
        raise InvalidArgument("config.json: root.path: required")
    rootfs = os.path.realpath(os.path.join(bundle, root))
    if not os.path.isdir(rootfs):
        raise InvalidArgument(f"config.json: root.path: {rootfs} is not a directory")
    join, new = from_config("", cfg)
    if "mount" not in join and "mount" not in new:
        raise InvalidArgument("config.json: linux.namespaces: a mount namespace is required")
    if "user" in new and not (cfg.get("linux") or {}).get("uidMappings"):
        raise InvalidArgument("config.json: linux.uidMappings: required with a new user"
                              " namespace")
    return rootfs, proc


def create(root: StrPath, cid: str, bundle: StrPath, opts: Options) -> dict[str, Any]:
    """Create container ``cid`` from ``bundle``; returns its state record."""
    store = StateStore(root)
    bundle_dir = os.path.abspath(bundle)
    cfg = load_config(bundle_dir, fastjson.loads)
    rootfs, proc = check_config(cfg, bundle_dir)
    if proc.get("terminal") and not opts.console_socket and opts.detach:
        raise InvalidArgument("cannot allocate tty if berth-runtime will detach without setting"
                              " console socket")
    state_dir = store.reserve(cid)
    undo = _Undo(store, cid)
    try:
        return _create(store, cid, bundle_dir, cfg, rootfs, proc, opts, state_dir, undo)
    except BaseException:
        undo.run()
        raise


def _create(store: StateStore, cid: str, bundle: str, cfg: dict[str, Any], rootfs: str,
            proc: dict[str, Any], opts: Options, state_dir: str, undo: _Undo) -> dict[str, Any]:
    _make_fifo(os.path.join(state_dir, "exec.fifo"), cfg)
    console = _console(opts.console_socket) if proc.get("terminal") else None
    undo.console = console
    from berth.runtime.cgroups import open_manager
    linux = cfg.get("linux") or {}
    cg = open_manager(linux.get("cgroupsPath") or "", cid, systemd=opts.systemd_cgroup)
    cg.create()
    undo.cgroup = cg
    join, new = from_config(cid, cfg)
    launch = Launch(cid, cfg, proc, bundle=str(bundle), rootfs=rootfs,
                    state_dir=str(state_dir), no_pivot=opts.no_pivot,
                    no_new_keyring=opts.no_new_keyring, preserve_fds=opts.preserve_fds,
                    join=join, new=new)
    launch.seccomp_cache = opts.seccomp_cache
    state: dict[str, Any] = {
        "ociVersion": OCI_VERSION, "id": cid, "pid": 0, "status": "creating",
        "bundle": str(bundle), "rootfs": rootfs, "created": rfc3339(time.time()),
        "owner": _owner(), "annotations": cfg.get("annotations") or {},
    }

    resources = dict(linux.get("resources") or {})
    if resources.get("devices"):
        from berth.runtime.devices import cgroup_rules
        resources["devices"] = cgroup_rules(linux)

    if resources:
        # before the fork (the cgroup is empty; v1 kmem limits even need that): the child
        # then finds "go" waiting instead of idling while the parent writes limit files
        cg.set(resources)

    def hook_state(pid: int) -> dict[str, Any]:
        return {k: v for k, v in dict(state, pid=pid).items() if k != "annotations" or v}

    undo.spawned = Spawned(0)
    launch.state_dirfd = os.open(state_dir, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        sp, ch = spawn(launch, container_init, cgroup=cg, state_for_hooks=hook_state,
                       console=console, spawned=undo.spawned)
    finally:
        os.close(launch.state_dirfd)
    ch.close()
    start = proc_start_time(sp.init)
    state.update(pid=sp.init, status="created", initStart=start[1] if start else 0,
                 cgroupPaths=cg.paths(), config=cfg, systemd=opts.systemd_cgroup)
    # no fsync (runc makes none): the state names a live process, which a host crash
    # ends; a state torn by one reads as UnreadableState, and delete removes it
    store.save(cid, state, durable=False)
    if opts.pid_file:
        write_atomic(os.path.abspath(opts.pid_file), str(sp.init).encode(), 0o644)
    if console is not None:
        console.close()
    return state


class _Undo:
    """What a failed create must take back, in reverse order."""

    def __init__(self, store: StateStore, cid: str) -> None:
        self.store, self.cid = store, cid
        self.spawned: Spawned | None = None
        self.cgroup: Any = None
        self.console: socket.socket | None = None

    def run(self) -> None:
        sp = self.spawned
        if sp is not None and sp.child:
            for pid in {sp.child, sp.init} - {0}:
                try:
                    os.kill(pid, SIGKILL)
                except ProcessLookupError:
                    pass
            if not sp.reaped:
                reap(sp)
            if sp.init and sp.init != sp.child:
                wait_pid_gone(sp.init, 5.0)
        if self.cgroup is not None:
            self.cgroup.destroy()
        if self.console is not None:
            self.console.close()
        self.store.remove(self.cid)


def _make_fifo(path: str, cfg: dict[str, Any]) -> None:
    os.mkfifo(path, 0o622)
    os.chmod(path, 0o622)
    uid = _host_root((cfg.get("linux") or {}).get("uidMappings"))
    gid = _host_root((cfg.get("linux") or {}).get("gidMappings"))
    if uid or gid:
        os.chown(path, uid, gid)


def _host_root(maps: list[dict[str, int]] | None) -> int:
    for m in maps or ():
        if m["containerID"] == 0:
            return m["hostID"]
    return 0


def _console(path: str | None) -> socket.socket | None:
    if not path:
        return None
    from berth.runtime.tty import connect_console_socket
    return connect_console_socket(path)


def _owner() -> str:
    uid = os.geteuid()
    try:
        with open("/etc/passwd") as f:
            for line in f:
                parts = line.split(":")
                if len(parts) > 2 and parts[2] == str(uid):
                    return parts[0]
    except OSError:
        pass
    return str(uid)
