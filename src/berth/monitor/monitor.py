"""A container's monitor: set up, create the container, reply, then serve until it exits.

Runs in a process the spawner forked twice (``main``): it is nobody's child and lives on
when berthd or the spawner die. Set-up order matters: become a child subreaper (the init
is re-parented to us when the child that created it exits), make the stdio, open the log,
create the container in a throwaway child (``child.create``: the runtime's work must not
dirty this process's pages) with that stdio as its fds 0/1/2, take the pty master, write
``monitor.pid``, listen on ``monitor.sock``, and only then reply ok, so berthd can rely
on the socket. Any failure replies the error (with the runtime's exit code: 127 missing
binary, 126 not executable) and undoes what was made. ``loop.Monitor`` serves the rest.

An exec request (``"op": "exec"``) gets ``execmon.ExecSetup`` instead: same loop, same
monitor.sock protocol, but its process is only made by the ``start`` op. ``Setup``'s
``start``/``after_exit``/``start_failed`` are the hooks the loop calls for either kind.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

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
        self.state_dir = Path(req["state_dir"])
        self.runtime_root = Path(req["runtime_root"])
        self.stdio = Stdio(bool(req.get("tty")), bool(req.get("stdin")))
        self.writer: Any = None
        self.listener: socket.socket | None = None
        self.state: dict[str, Any] = {}
        self.created = False

    def run(self) -> None:
        from berth.monitor import child, logs
        from berth.sys import prctl
        prctl.set_child_subreaper(True)
        os.chdir(self.state_dir)  # monitor.sock is bound by relative name: paths may be long
        self.writer = logs.open_writer(self.req.get("log") or {"driver": "none"})
        console = None
        if self.stdio.tty:
            console = self.stdio.listen_console(f"\0berth-console-{os.getpid()}")
        reply = child.call(child.create, str(self.runtime_root), self.cid,
                           str(self.req["bundle"]), self.stdio.child, console,
                           self.req.get("seccomp_cache"))
        if not reply.get("ok"):
            raise records.error_from_reply(reply)
        self.state = reply["result"]
        self.created = True
        self.stdio.close_child()
        if self.stdio.tty:
            self.stdio.take_console()
        records.write_pid(self.state_dir, os.getpid())
        self.listener = listen(records.SOCK_FILE)

    def start(self) -> int:
        """The ``start`` op: release the init (blocked on the exec fifo); its pid."""
        from berth.monitor import child
        reply = child.call(child.start, str(self.runtime_root), self.cid)
        if not reply.get("ok"):
            raise records.error_from_reply(reply)
        return int(self.state["pid"])

    def start_failed(self, e: BaseException) -> dict[str, Any] | None:
        """An exit record when a failed ``start`` ends the monitor (never for a container:
        its init stays created, berthd may start it again or delete it)."""
        return None

    def after_exit(self) -> tuple[bool, str]:
        """Once the init has exited: (OOM-killed, error) after deleting the container."""
        from berth.monitor import child
        reply = child.call(child.after_exit, str(self.runtime_root), self.cid,
                           self.state.get("cgroupPaths") or {})
        res = reply.get("result") or {}
        if not reply.get("ok"):
            return bool(res.get("oom")), \
                f"cleaning up the container failed: {reply.get('error')}"
        return bool(res.get("oom")), str(res.get("error") or "")

    def undo(self) -> None:
        """After a failed set-up: no container, no socket, no pid file."""
        if self.created:
            from berth.monitor import child
            child.call(child.delete, str(self.runtime_root), self.cid)
        for name in (records.SOCK_FILE, records.PID_FILE):
            try:
                (self.state_dir / name).unlink()
            except OSError:
                pass
        if self.writer is not None:
            self.writer.close()


def listen(name: str) -> socket.socket:
    try:
        os.unlink(name)
    except FileNotFoundError:
        pass
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
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
    """The monitor process body (forked by the spawner's zygote, after a setsid and a
    second fork): never returns. The final reply (with ``tag`` merged in) goes to
    ``reply_fd`` (one write: a packet on the spawner's SOCK_SEQPACKET), which is closed."""
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
        _reply(reply_fd, {"ok": True, "monitor_pid": os.getpid()}, tag)
        from berth.monitor.loop import Monitor
        Monitor(setup).serve()
        code = 0
    except BaseException as e:  # the loop itself failed: leave a record saying why
        _last_words(req, e)
    finally:
        os._exit(code)


def _last_words(req: dict[str, Any], e: BaseException) -> None:
    try:
        state_dir = Path(req["state_dir"])
        if records.read_exit(state_dir) is None:
            rec = records.exit_record(255, False, records.now_rfc3339(),
                                      f"monitor failed: {type(e).__name__}: {e}")
            records.write_exit(state_dir, rec)
    except BaseException:
        pass
