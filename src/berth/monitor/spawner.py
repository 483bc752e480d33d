"""The spawner: a warm, single-threaded process that forks container monitors.

``python -m berth.monitor.spawner <fd>``: berthd (which has threads and must not fork)
starts it with one end of a socketpair as ``<fd>``. Requests and replies are JSON lines
(docs/design/containers.md, "Spawner protocol"); a request may carry ``"rid"``, echoed in
its reply, so several spawns can be in flight. The spawner imports the runtime and the
monitor up front and freezes the GC, so each fork starts warm and shares those pages.

Per spawn: fork A → A: ``setsid``, fork B (the monitor), write ``{"pid": B}`` to the
reply pipe, ``_exit``; the spawner reaps A at once, so B is re-parented to init (or
the nearest subreaper) and is never the spawner's zombie. B writes its final line to
the same pipe; if B dies first, its pidfd tells the spawner, which replies an error.
The spawner exits when berthd's end of the socketpair closes. SpawnerClient (berthd's
side) is re-exported from ``spawnclient``.
"""

from __future__ import annotations

import gc
import json
import os
import select
import sys

from berth.monitor import records
from berth.monitor.spawnclient import SpawnerClient, start_spawner

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["Spawner", "SpawnerClient", "main", "start_spawner"]
REQUIRED = ("id", "bundle", "runtime_root", "state_dir")


def preload() -> None:
    """Import what a monitor runs, so forks do not pay for (or duplicate) it."""
    import berth.monitor.logs.jsonfile
    import berth.monitor.logs.local
    import berth.monitor.logs.rotate
    import berth.monitor.loop
    import berth.monitor.monitor
    import berth.monitor.ops
    import berth.runtime.cgroups
    import berth.runtime.create
    import berth.runtime.ops
    import berth.runtime.start
    import berth.runtime.tty  # noqa: F401


class Pending:
    """A spawn whose monitor has not answered yet."""

    def __init__(self, rid: Any, fd: int) -> None:
        self.rid, self.fd = rid, fd
        self.buf = b""
        self.pidfd = -1


class Spawner:
    def __init__(self, sock_fd: int) -> None:
        self.sock = sock_fd
        self.inbuf = b""
        self.poll = select.poll()
        self.poll.register(sock_fd, select.POLLIN)
        self.pending: dict[int, Pending] = {}

    def serve(self) -> None:
        while True:
            for fd, _ev in self.poll.poll():
                if fd == self.sock:
                    if not self._read_requests():
                        return
                elif fd in self.pending:
                    self._on_pipe(self.pending[fd])
                else:
                    self._on_pidfd(fd)

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
        missing = [k for k in REQUIRED if not isinstance(req, dict) or not req.get(k)]
        if not isinstance(req, dict) or req.get("op") != "spawn" or missing:
            self._send({"ok": False, "rid": rid, "kind": "InvalidArgument", "exit_code": 125,
                        "error": f"spawner: bad request (op must be spawn; missing {missing})"})
            return
        self._spawn(req, rid)

    def _spawn(self, req: dict[str, Any], rid: Any) -> None:
        r, w = os.pipe2(os.O_CLOEXEC)
        pid = os.fork()
        if pid == 0:
            _intermediate(req, w, keep=w)
        os.close(w)
        os.waitpid(pid, 0)
        p = Pending(rid, r)
        self.pending[r] = p
        self.poll.register(r, select.POLLIN)

    def _on_pipe(self, p: Pending) -> None:
        data = os.read(p.fd, 1 << 16)
        p.buf += data
        *lines, p.buf = p.buf.split(b"\n")
        for line in lines:
            msg = json.loads(line)
            if "ok" in msg:
                self._done(p, msg)
                return
            try:
                p.pidfd = os.pidfd_open(msg["pid"])
                self.poll.register(p.pidfd, select.POLLIN)
            except ProcessLookupError:
                pass  # already gone: the pipe's EOF (or its last line) tells
        if not data:
            self._done(p, {"ok": False, "kind": "Unavailable", "exit_code": 125,
                           "error": "monitor exited before creating the container"})

    def _on_pidfd(self, fd: int) -> None:
        for p in list(self.pending.values()):
            if p.pidfd == fd:
                self._on_pipe_nonblocking(p)
                if p.fd in self.pending:
                    self._done(p, {"ok": False, "kind": "Unavailable", "exit_code": 125,
                                   "error": "monitor died while creating the container"})

    def _on_pipe_nonblocking(self, p: Pending) -> None:
        """The monitor is gone: read its last line, if it wrote one."""
        os.set_blocking(p.fd, False)
        try:
            self._on_pipe(p)
        except BlockingIOError:
            pass

    def _done(self, p: Pending, msg: dict[str, Any]) -> None:
        self.pending.pop(p.fd, None)
        self.poll.unregister(p.fd)
        os.close(p.fd)
        if p.pidfd >= 0:
            self.poll.unregister(p.pidfd)
            os.close(p.pidfd)
        self._send(dict(msg, rid=p.rid) if p.rid is not None else msg)

    def _send(self, msg: dict[str, Any]) -> None:
        data = records.encode(msg)
        while data:
            data = data[os.write(self.sock, data):]


def _intermediate(req: dict[str, Any], reply_w: int, keep: int) -> None:
    """Child A: new session, fork the monitor, tell the spawner its pid, leave."""
    try:
        os.setsid()
        pid = os.fork()
        if pid == 0:
            _become_monitor(req, reply_w)
        os.write(reply_w, records.encode({"pid": pid}))
    finally:
        os._exit(0)


def _become_monitor(req: dict[str, Any], reply_w: int) -> None:
    """Child B: drop every fd but the reply pipe, stdio to /dev/null, run the monitor."""
    os.closerange(3, reply_w)
    os.closerange(reply_w + 1, 65536)
    null = os.open("/dev/null", os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    if null > 2:
        os.close(null)
    os.set_inheritable(reply_w, False)
    from berth.monitor.monitor import main as monitor_main
    monitor_main(req, reply_w)


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
