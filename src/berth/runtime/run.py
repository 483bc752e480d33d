"""``run`` (create + start, then wait) and waiting for processes as a subreaper.

A foreground ``run`` makes the caller a child subreaper so the init, a grandchild,
is re-parented to it; signals the caller gets are forwarded to the init; a terminal
without ``--console-socket`` is relayed between the caller's stdio and the pty.

``run_in_process`` is the same lifecycle for a warm caller (berthd's spawner): no signal
handlers, no terminal relay, and it waits for its own container's init only.
"""

from __future__ import annotations

import os

from berth._util import fastjson
from berth.errdefs import NotFound
from berth.runtime import ops, signals
from berth.runtime.create import Options, create
from berth.runtime.start import start
from berth.sys import prctl

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from berth.runtime.state import StrPath

FORWARDED = (signals.SIGINT, signals.SIGTERM, signals.SIGHUP, signals.SIGQUIT, signals.SIGUSR1,
             signals.SIGUSR2, signals.SIGWINCH)


def exit_code(status: int) -> int:
    """Shell-style code: the exit status, or 128 + the signal that killed it."""
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.waitstatus_to_exitcode(status)


def wait_child(pid: int) -> int:
    """waitpid ``pid`` (reaping any other adopted orphans on the way); its exit code."""
    while True:
        got, status = os.waitpid(-1, 0)
        if got == pid:
            return exit_code(status)


def run_in_process(root: StrPath, cid: str, bundle: StrPath,
                   opts: Options | None = None) -> int:
    """Create, start, wait for and delete ``cid``; returns its exit code (128+signal).

    For a warm, single-threaded caller that runs containers repeatedly: everything it
    imports stays loaded and the seccomp BPF and cgroup layout stay cached between calls.
    The caller becomes a child subreaper (needed to wait for an init in a pid namespace).
    A terminal needs ``opts.console_socket``; ``opts.detach`` is ignored.
    """
    opts = opts or Options()
    opts.detach = False
    prctl.set_child_subreaper(True)
    try:
        pid = create(root, cid, bundle, opts)["pid"]
        start(root, cid)
        _, status = os.waitpid(pid, 0)
        return exit_code(status)
    finally:
        try:
            ops.delete(root, cid, force=True)
        except NotFound:
            pass


def run(root: StrPath, cid: str, bundle: StrPath, opts: Options) -> int:
    """Create and start ``cid``; unless detached, wait, delete it, and return its code."""
    if opts.detach:
        create(root, cid, bundle, opts)
        start(root, cid)
        return 0
    prctl.set_child_subreaper(True)
    relay = None
    if not opts.console_socket and _wants_tty(bundle):
        relay = _ConsoleListener()
        opts.console_socket = relay.path
    try:
        st = create(root, cid, bundle, opts)
        pid = st["pid"]
        old = {s: signals.set_handler(s, lambda n, _f: _forward(pid, n)) for s in FORWARDED}
        try:
            start(root, cid)
            if relay is not None:
                return relay.serve(pid)
            return wait_child(pid)
        finally:
            for s, h in old.items():
                signals.set_handler(s, h)
    finally:
        if relay is not None:
            relay.close()
        try:
            ops.delete(root, cid, force=True)
        except Exception:
            pass


def _forward(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def _wants_tty(bundle: StrPath) -> bool:
    from berth.oci.runtime import load_config
    cfg: dict[str, Any] = load_config(os.path.abspath(bundle), fastjson.loads)
    return bool((cfg.get("process") or {}).get("terminal"))


class _ConsoleListener:
    """A private console socket: receives the pty master, then copies bytes both ways."""

    def __init__(self) -> None:
        import socket
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.path = f"\0berth-runtime-console-{os.getpid()}"
        self.sock.bind(self.path)
        self.sock.listen(1)

    def serve(self, pid: int) -> int:
        import socket
        conn, _ = self.sock.accept()
        with conn:
            _msg, fds, _flags, _addr = socket.recv_fds(conn, 64, 1)
        master = fds[0]
        try:
            return _copy(master, pid)
        finally:
            os.close(master)

    def close(self) -> None:
        self.sock.close()


def _copy(master: int, pid: int) -> int:
    import select
    p = select.poll()
    p.register(master, select.POLLIN)
    p.register(0, select.POLLIN)
    pidfd = os.pidfd_open(pid)
    p.register(pidfd, select.POLLIN)
    try:
        while True:
            for fd, _ev in p.poll():
                if fd == pidfd:
                    _drain(master)
                    return wait_child(pid)
                try:
                    data = os.read(fd, 65536)
                except OSError:
                    data = b""
                if not data:
                    p.unregister(fd)
                    continue
                os.write(1 if fd == master else master, data)
    finally:
        os.close(pidfd)


def _drain(master: int) -> None:
    os.set_blocking(master, False)
    try:
        while data := os.read(master, 65536):
            os.write(1, data)
    except OSError:
        pass
