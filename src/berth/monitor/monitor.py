"""A container's monitor: set up, create the container, reply, then become berth-monitor.

Runs in a process the spawner forked (``main``), in its own session: the spawner reaps it
when it exits, and it lives on (re-parented) when berthd or the spawner die. Set-up
order matters: become a child subreaper (an exec's process is re-parented to us when
the child that made it exits), make the stdio, check the
log config (and create the file), create the container (``child.create``, in this
process, which execve's soon) with that stdio as its fds 0/1/2, take the pty master, lock the
runtime's dir of the container (``lock_runtime_dir``), write ``monitor.pid``, listen on
``monitor.sock``, and only then reply ok, so berthd can rely on the socket. Any failure
replies the error (with the runtime's exit code: 127 missing binary, 126 not executable)
and undoes what was made. Then ``handover.exec_native`` execve's the native monitor
(``native/``), which serves the container for the rest of its life.

An exec request (``"op": "exec"``) gets ``execmon.ExecSetup`` instead: its process is
only made by the ``start`` op, and its monitor stays Python (``loop.Monitor``): it is
short-lived, and the memory target is per running container.
"""

from __future__ import annotations

import _socket
import os

from berth.monitor import records
from berth.monitor.stdio import Stdio

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, NoReturn


class Setup:
    """What a successful set-up hands to the loop."""

    def __init__(self, req: dict[str, Any]) -> None:
        self.req = req
        self.cid: str = req["id"]
        self.state_dir = str(req["state_dir"])  # strings, not Path: memory (monitor.md)
        self.runtime_root = str(req["runtime_root"])
        self.stdio = Stdio(bool(req.get("tty")), bool(req.get("stdin")))
        self.listener: _socket.socket | None = None
        self.state: dict[str, Any] = {}
        self.created = False
        self.lock_fd = -1
        self.native = ""
        self.started = False

    def run(self) -> None:
        from berth.monitor import handover
        from berth.monitor.logs import log_config
        from berth.sys import prctl
        self.native = handover.check_binary()
        prctl.set_child_subreaper(True)
        os.chdir(self.state_dir)  # monitor.sock is bound by relative name: paths may be long
        driver, path, *_ = log_config(self.req.get("log") or {"driver": "none"})
        if driver != "none":  # a log that cannot be opened fails the spawn, not later
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC,
                             0o640))
        console = None
        if self.stdio.tty:
            console = self.stdio.listen_console(f"\0berth-console-{os.getpid()}")
        self.state = self._create(console)
        self.created = True
        self.stdio.close_child()
        if self.stdio.tty:
            self.stdio.take_console()
        self.lock_fd = lock_runtime_dir(self.runtime_root, self.cid)
        records.write_pid(self.state_dir, os.getpid())
        self.listener = listen(records.SOCK_FILE)
        if self.req.get("start") and not self.state.get("poststart"):
            self._start()

    def _start(self) -> None:
        """``"start": true`` (berthd has no attacher waiting): release the init now, the
        last step of the set-up, so the reply says it runs and berthd sends no ``start``
        op (one round trip and berth-monitor's execve off the start's path). Output
        written before berth-monitor reads waits in the pipes; an init that exits first
        is a zombie berth-monitor reaps as it starts. Poststart hooks keep the ``start``
        op (berth-monitor runs them)."""
        from berth.runtime.start import release
        fifo = str(self.state["fifo"])
        release(fifo, int(self.state["pid"]), self.cid)
        try:
            os.unlink(fifo)
        except FileNotFoundError:
            pass
        self.started = True

    def _create(self, console: str | None) -> dict[str, Any]:
        """The runtime's ``create``, in this process: it execve's berth-monitor next, so
        whatever the runtime's code dirties dies then (an exec monitor, which stays
        Python, uses a throwaway child instead). During the call fds 0/1/2 are the
        container's stdio (the init inherits them) and SIGPIPE is at its default; after
        it (or its failure) they are /dev/null and ignored again, so the monitor holds
        no end of the container's pipes."""
        import signal

        from berth.monitor import child
        try:
            return child.create(self.runtime_root, self.cid, str(self.req["bundle"]),
                                self.stdio.child, console, self.req.get("seccomp_cache"))
        finally:
            signal.signal(signal.SIGPIPE, signal.SIG_IGN)
            null = os.open("/dev/null", os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(null, fd)
            os.close(null)

    def serve(self) -> None:
        """After the reply: become berth-monitor (same pid, same fds, same children)."""
        from berth.monitor import handover
        handover.exec_native(self, self.native)

    def undo(self) -> None:
        """After a failed set-up: no container, no socket, no pid file."""
        if self.created:
            from berth.monitor import child
            child.call(child.delete, self.runtime_root, self.cid)
        for name in (records.SOCK_FILE, records.PID_FILE):
            try:
                os.unlink(f"{self.state_dir}/{name}")
            except OSError:
                pass


def lock_runtime_dir(runtime_root: str, cid: str) -> int:
    """``flock`` on the runtime's dir of the container, held by the monitor and then by
    its clean-up helper until the container is deleted: a new ``create`` of the same id
    waits for it (``child.create``). -1 if the dir cannot be opened (no lock, no wait)."""
    import fcntl
    try:
        fd = os.open(f"{runtime_root}/{cid}", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return -1
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return -1
    return fd


def listen(name: str) -> _socket.socket:
    """monitor.sock as a bare ``_socket.socket``: socket.py's class runs Python code on
    every accept and close, which copies pages (monitor.md)."""
    try:
        os.unlink(name)
    except FileNotFoundError:
        pass
    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM | _socket.SOCK_CLOEXEC)
    sock.bind(name)
    os.chmod(name, 0o600)
    sock.listen(64)
    sock.setblocking(False)
    return sock


def _reply(fd: int, msg: dict[str, Any], tag: dict[str, Any]) -> None:
    if "error" in msg:
        msg["error"] = str(msg["error"])[:2000]
    msg.update(tag)
    try:
        os.write(fd, records.encode(msg))
    except OSError:
        pass  # the spawner is gone; berthd finds us through monitor.pid
    os.close(fd)


def main(req: dict[str, Any], reply_fd: int, tag: dict[str, Any] | None = None) -> NoReturn:
    """The monitor process body (forked by the spawner, after a setsid): never returns.
    The final reply (with ``tag`` merged in) goes to ``reply_fd`` (one write: a packet on
    the spawner's SOCK_SEQPACKET), which is closed."""
    tag = tag or {}
    code = 1
    try:
        setup: Any
        if req.get("op") == "exec":
            from berth.monitor.execmon import ExecSetup
            setup = ExecSetup(req)
        else:
            setup = Setup(req)
        try:
            setup.run()
        except BaseException as e:
            setup.undo()
            _reply(reply_fd, records.error_reply(e), tag)
            os._exit(1)
        ok: dict[str, Any] = {"ok": True, "monitor_pid": os.getpid()}
        if isinstance(setup, Setup) and setup.started:
            ok.update(started=True, pid=int(setup.state["pid"]))
        _reply(reply_fd, ok, tag)
        setup.serve()
        code = 0
    except BaseException as e:  # the loop itself failed: leave a record saying why
        _last_words(req, e)
    finally:
        os._exit(code)


def _last_words(req: dict[str, Any], e: BaseException) -> None:
    try:
        state_dir = str(req["state_dir"])
        if records.read_exit(state_dir) is None:
            rec = records.exit_record(255, False, records.now_rfc3339(),
                                      f"monitor failed: {type(e).__name__}: {e}")
            records.write_exit(state_dir, rec)
    except BaseException:
        pass
