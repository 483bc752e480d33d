"""The spawner: a warm, single-threaded process that forks container monitors.

``python -m berth.monitor.spawner <fd>``: berthd (which has threads and must not fork)
starts it with one end of a socketpair as ``<fd>``. Requests and replies are JSON lines
(docs/design/containers.md, "Spawner protocol"); a request may carry ``"rid"``, echoed in
its reply, so several spawns can be in flight. The spawner imports the runtime and the
monitor's set-up up front and freezes the GC, so a fork starts warm.

Per spawn: one fork. The child ``setsid``\\ s (it is not a group leader: the spawner is),
keeps only its end of a SOCK_SEQPACKET pair, and runs the set-up (``monitor.main``),
which sends its final ``{"seq", "ok", …}`` packet on that pair and then, for a container,
execve's berth-monitor. The monitor stays the spawner's child: the spawner reaps its
children without blocking (SIGCHLD wakes the poll loop through ``signal.set_wakeup_fd``;
``waitpid(-1, WNOHANG)`` until none is left), so none is a zombie while the spawner
lives; when the spawner exits they are re-parented to init (or the nearest subreaper)
and live on. A pidfd of each pending child turns a monitor that dies before its packet
into an error reply. The spawner exits when berthd's end of the socketpair closes.
berthd's side (``SpawnerClient``, ``start_spawner``) is ``spawnclient``: not imported
here, so the spawner does not carry its imports.

Why not a zygote any more (docs/design/monitor.md, "Memory"): container monitors are
native after their set-up, so sharing pages with a process that writes nothing between
forks only helped exec monitors, while the zygote cost ~10 MiB idle and a fork chain of
3-5 ms per start.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import select
import signal
import socket
import sys

from berth.monitor import records

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["Spawner", "main"]
REQUIRED = ("id", "bundle", "runtime_root", "state_dir")
EXEC_REQUIRED = ("id", "exec_id", "runtime_root", "state_dir", "process")
MAX_PACKET = 1 << 16  # one monitor reply packet is at most this


def preload() -> None:
    """Import what a monitor's set-up runs, so forks do not pay for (or duplicate) it."""
    import berth.monitor.child  # a container monitor's set-up runs these before exec
    import berth.monitor.execmon
    import berth.monitor.handover
    import berth.monitor.logs
    import berth.monitor.loop
    import berth.monitor.monitor
    import berth.monitor.ops
    import berth.runtime.cgroups
    import berth.runtime.create
    import berth.runtime.execproc
    import berth.runtime.hooks
    import berth.runtime.ops
    import berth.runtime.seccomp  # each create/exec child would import it (and hashlib)
    import berth.runtime.tty
    import berth.sys.clone
    import berth.sys.seccomp
    with contextlib.suppress(OSError):  # dlopen once here, not in every set-up
        berth.sys.seccomp.lib()
    with contextlib.suppress(Exception):  # the host's cgroup mounts: read once, not per fork
        berth.runtime.cgroups.host_layout()


class Pending:
    """A spawn whose monitor has not answered yet."""

    def __init__(self, rid: Any, pid: int, pidfd: int) -> None:
        self.rid, self.pid, self.pidfd = rid, pid, pidfd


class Spawner:
    def __init__(self, sock_fd: int) -> None:
        self.sock = sock_fd
        self.inbuf = b""
        self.poll = select.poll()
        self.poll.register(sock_fd, select.POLLIN)
        self.pending: dict[int, Pending] = {}
        self.by_pidfd: dict[int, int] = {}
        self.seq = 0
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.rsock, self.csock = mine.detach(), theirs.detach()  # both non-inheritable
        self.poll.register(self.rsock, select.POLLIN)
        self.wake_r, self.wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        signal.signal(signal.SIGCHLD, _noop)
        signal.set_wakeup_fd(self.wake_w, warn_on_full_buffer=False)
        self.poll.register(self.wake_r, select.POLLIN)

    def serve(self) -> None:
        try:
            while True:
                for fd, _ev in self.poll.poll():
                    if fd == self.sock:
                        if not self._read_requests():
                            return
                    elif fd == self.rsock:
                        self._on_packet()
                    elif fd == self.wake_r:
                        self._reap()
                    else:
                        self._on_pidfd(fd)
        finally:
            signal.set_wakeup_fd(-1)
            self._reap()

    def _read_requests(self) -> bool:
        data = os.read(self.sock, 1 << 16)
        if not data:
            return False
        self.inbuf += data
        *lines, self.inbuf = self.inbuf.split(b"\n")
        for line in lines:
            if line.strip():
                self._handle(line)
        return True

    def _handle(self, line: bytes) -> None:
        try:
            req = json.loads(line)
        except ValueError:
            self._send({"ok": False, "error": "spawner: request is not JSON",
                        "kind": "InvalidArgument", "exit_code": 125})
            return
        rid = req.get("rid") if isinstance(req, dict) else None
        op = req.get("op") if isinstance(req, dict) else None
        need = EXEC_REQUIRED if op == "exec" else REQUIRED
        missing = [k for k in need if not isinstance(req, dict) or not req.get(k)]
        if op not in ("spawn", "exec") or missing:
            self._send({"ok": False, "rid": rid, "kind": "InvalidArgument", "exit_code": 125,
                        "error": "spawner: bad request (op must be spawn or exec; "
                                 f"missing {missing})"})
            return
        self.seq += 1
        try:
            pid = os.fork()
        except OSError as e:
            self._send({"ok": False, "rid": rid, "kind": "Unavailable", "exit_code": 125,
                        "error": f"spawner: cannot fork a monitor: {e.strerror}"})
            return
        if pid == 0:
            _become_monitor(req, self.csock, self.seq)
        try:
            pidfd = os.pidfd_open(pid)  # our unreaped child: it cannot be gone yet
        except OSError as e:
            self._send({"ok": False, "rid": rid, "kind": "Unavailable", "exit_code": 125,
                        "error": f"spawner: pidfd_open: {e.strerror}"})
            return
        self.pending[self.seq] = Pending(rid, pid, pidfd)
        self.by_pidfd[pidfd] = self.seq
        self.poll.register(pidfd, select.POLLIN)

    def _on_packet(self) -> None:
        msg = json.loads(os.read(self.rsock, MAX_PACKET))
        p = self.pending.pop(msg.pop("seq", None), None)
        if p is not None:
            self._done(p, msg)

    def _drain(self) -> None:
        """Handle every packet already queued (a monitor's last words before it died)."""
        os.set_blocking(self.rsock, False)
        try:
            while True:
                self._on_packet()
        except BlockingIOError:
            pass
        finally:
            os.set_blocking(self.rsock, True)

    def _on_pidfd(self, fd: int) -> None:
        # the same poll batch may have answered this spawn (its pidfd closed) and even
        # reused the number for a newer spawn's: only a live entry that is ready counts
        if fd not in self.by_pidfd or not select.select([fd], [], [], 0)[0]:
            return
        self._drain()
        p = self.pending.pop(self.by_pidfd.get(fd, -1), None)
        if p is not None:
            self._done(p, DIED)

    def _reap(self) -> None:
        """Empty the wake-up pipe, then reap every child that has exited (no zombies)."""
        with contextlib.suppress(OSError):
            while os.read(self.wake_r, 512):
                pass
        while True:
            try:
                pid, _status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return

    def _done(self, p: Pending, msg: dict[str, Any]) -> None:
        self.poll.unregister(p.pidfd)
        del self.by_pidfd[p.pidfd]
        os.close(p.pidfd)
        self._send(dict(msg, rid=p.rid) if p.rid is not None else msg)

    def _send(self, msg: dict[str, Any]) -> None:
        data = records.encode(msg)
        while data:
            data = data[os.write(self.sock, data):]


DIED = {"ok": False, "kind": "Unavailable", "exit_code": 125,
        "error": "monitor died while creating the container"}


def _noop(_signum: int, _frame: Any) -> None:
    """SIGCHLD's handler: the wake-up fd byte is the event; the poll loop reaps."""


def _become_monitor(req: dict[str, Any], fd: int, seq: int) -> None:
    """The child: own session, the spawner's signal set-up undone, every fd but the
    reply socket closed, stdio to /dev/null; then the monitor's set-up. Never returns."""
    try:
        signal.set_wakeup_fd(-1)  # else the set-up's SIGCHLDs would write to a reused fd
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.setsid()
        os.closerange(3, fd)
        os.closerange(fd + 1, 65536)
        null = os.open("/dev/null", os.O_RDWR)
        for i in (0, 1, 2):
            os.dup2(null, i)
        if null > 2:
            os.close(null)
        from berth.monitor.monitor import main as monitor_main
        monitor_main(req, fd, {"seq": seq})
    except BaseException as e:
        with contextlib.suppress(BaseException):
            os.write(fd, records.encode({"seq": seq, "ok": False, "kind": "Unavailable",
                                         "exit_code": 125, "error": f"spawner: {e}"}))
    finally:
        os._exit(1)


def main(argv: list[str]) -> int:
    if len(argv) != 2 or not argv[1].isdigit():
        print("usage: python -m berth.monitor.spawner <socket-fd>", file=sys.stderr)
        return 2
    fd = int(argv[1])
    os.set_inheritable(fd, False)
    preload()
    gc.collect()
    gc.freeze()
    Spawner(fd).serve()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
