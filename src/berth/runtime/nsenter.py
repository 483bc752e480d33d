"""The intermediate child: join and create namespaces, then fork the init if needed.

Runs right after the parent's fork. It waits for ``go`` (the parent has put it in the
cgroup), enters the user namespace first (asking the parent to write the id maps), joins
the other namespaces by path, unshares the new ones, and — when a pid or time namespace
is involved — forks once more so the init is born inside it. Nothing here returns: every
path ends in ``os._exit`` or the init's execve.
"""

from __future__ import annotations

import gc
import os

from berth.runtime.channel import Channel
from berth.runtime.errors import describe
from berth.runtime.launch import JOIN_ORDER, Launch
from berth.runtime.signals import SIGKILL
from berth.sys import ns, prctl

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable


def child_main(launch: Launch, ch: Channel, init: Callable[[Launch, Channel], None]) -> None:
    """Entry point of the forked child; reports any failure to the parent and exits."""
    try:
        # no cyclic GC: a collection walks the inherited heap and copies its pages, and
        # this short-lived child ends in execve or _exit anyway
        gc.disable()
        prctl.set_pdeathsig(SIGKILL)
        _enter(launch, ch, init)
    except BaseException as e:
        msg, code = describe(e)
        ch.fail(msg, code)
        os._exit(code)
    os._exit(0)


def _join_cgroups(files: list[str]) -> None:
    """Move ourselves (single-threaded: ``0`` in ``tasks`` moves the whole process) into
    each v1 hierarchy; unlike a pid in cgroup.procs this waits for no RCU grace period."""
    for path in files:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
        except OSError as e:
            raise OSError(e.errno, f"joining cgroup {path}: {e.strerror}") from None
        try:
            os.write(fd, b"0")
        except OSError as e:
            raise OSError(e.errno, f"joining cgroup {path}: {e.strerror}") from None
        finally:
            os.close(fd)


def _enter(launch: Launch, ch: Channel, init: Callable[[Launch, Channel], None]) -> None:
    _join_cgroups(launch.cgroup_tasks)
    ch.expect("go")
    fds = {t: _open_ns(t, p) for t, p in launch.join.items()}
    try:
        if "user" in fds:
            ns.setns(fds.pop("user"), ns.CLONE_NEWUSER, f"user namespace {launch.join['user']}")
        if "user" in launch.new:
            ns.unshare(ns.CLONE_NEWUSER)
            ch.send("userns")
            ch.expect("mapped")
        if "user" in launch.new or "user" in launch.join:
            _become_ns_root()
        for t in JOIN_ORDER:
            if t in fds:
                ns.setns(fds[t], ns.NAMESPACES[t][0], f"{t} namespace {launch.join[t]}")
    finally:
        for fd in fds.values():
            os.close(fd)
    if launch.new_flags():
        ns.unshare(launch.new_flags())
    if not launch.must_fork():
        # cloned into a pid namespace our pid reads 1 here: 0 tells the parent "mine"
        ch.send("init", pid=0 if launch.born_in & ns.CLONE_NEWPID else os.getpid())
        prctl.set_pdeathsig(0)
        _run_init(launch, ch, init)
        return
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(w)
        os.read(r, 1)
        os.close(r)
        _run_init(launch, ch, init)
    os.close(r)
    ch.send("init", pid=pid)
    os.write(w, b"1")
    os._exit(0)


def _run_init(launch: Launch, ch: Channel, init: Callable[[Launch, Channel], None]) -> None:
    try:
        init(launch, ch)
    except BaseException as e:
        msg, code = describe(e)
        ch.fail(msg, code)
        os._exit(code)
    os._exit(0)


def _open_ns(t: str, path: str) -> int:
    try:
        return os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError as e:
        raise OSError(e.errno, f"linux.namespaces: {t} path {path}: {e.strerror}") from None


def _become_ns_root() -> None:
    """Act as root of the new user namespace (if 0 is mapped; else stay as mapped)."""
    try:
        os.setresgid(0, 0, 0)
        os.setresuid(0, 0, 0)
    except OSError:
        pass
