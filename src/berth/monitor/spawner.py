"""The spawner: a warm, single-threaded process that forks container monitors.

``python -m berth.monitor.spawner <fd>``: berthd (which has threads and must not fork)
starts it with one end of a socketpair as ``<fd>``. Requests and replies are JSON lines
(docs/design/containers.md, "Spawner protocol"); a request may carry ``"rid"``, echoed in
its reply, so several spawns can be in flight. The spawner imports the runtime and the
monitor up front and freezes the GC, then forks the **zygote** once.

Memory (docs/design/monitor.md): a monitor shares its pages with the process it was
forked from, and any page either of them writes later becomes the monitor's own copy.
The spawner's request handling (JSON, dicts, polling) writes dozens of pages per spawn,
so monitors are not forked from it: the zygote, forked right after the imports, only
reads a request packet, forks and reaps; it writes almost nothing between forks.

An ``"op": "exec"`` request makes an exec's monitor (``execmon``) the same way.

Per spawn: the spawner sends ``<seq>\n<request line>`` as one packet on a SOCK_SEQPACKET
pair to the zygote; the zygote forks A → A: ``setsid``, fork B (the monitor), sends
``{"seq", "pid": B}`` and exits; the zygote reaps A at once, so B is re-parented to init
(or the nearest subreaper) and is nobody's zombie. B sends its final ``{"seq", "ok", …}``
packet on the same pair and closes its end; if B dies first, its pidfd tells the
spawner, which replies an error. The spawner exits when berthd's end of the socketpair
closes (the zygote then sees EOF and exits too) or when the zygote dies. SpawnerClient
(berthd's side) is re-exported from ``spawnclient``.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import select
import socket
import sys

from berth.monitor import records
from berth.monitor.spawnclient import SpawnerClient, start_spawner

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["Spawner", "SpawnerClient", "main", "start_spawner"]
REQUIRED = ("id", "bundle", "runtime_root", "state_dir")
EXEC_REQUIRED = ("id", "exec_id", "runtime_root", "state_dir", "process")
MAX_PACKET = 1 << 16  # the zygote reads one packet of at most this


def preload() -> None:
    """Import what a monitor runs, so forks do not pay for (or duplicate) it."""
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
    with contextlib.suppress(OSError):  # dlopen once here, not in every create child
        berth.sys.seccomp.lib()


class Pending:
    """A spawn whose monitor has not answered yet."""

    def __init__(self, rid: Any) -> None:
        self.rid = rid
        self.pidfd = -1


class Spawner:
    def __init__(self, sock_fd: int) -> None:
        self.sock = sock_fd
        self.inbuf = b""
        self.poll = select.poll()
        self.poll.register(sock_fd, select.POLLIN)
        self.pending: dict[int, Pending] = {}
        self.seq = 0
        self.zsock, self.zygote = start_zygote(sock_fd)
        self.zpidfd = os.pidfd_open(self.zygote)
        self.poll.register(self.zsock, select.POLLIN)
        self.poll.register(self.zpidfd, select.POLLIN)

    def serve(self) -> None:
        try:
            while True:
                for fd, _ev in self.poll.poll():
                    if fd == self.sock:
                        if not self._read_requests():
                            return
                    elif fd == self.zsock:
                        self._on_packet()
                    elif fd == self.zpidfd:
                        self._drain()
                        return  # the zygote died: berthd starts a new spawner
                    else:
                        self._on_pidfd(fd)
        finally:
            os.close(self.zsock)  # the zygote sees EOF and exits
            try:
                os.waitpid(self.zygote, 0)
            except ChildProcessError:
                pass

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
        if len(line) > MAX_PACKET - 32:
            self._send({"ok": False, "rid": rid, "kind": "InvalidArgument", "exit_code": 125,
                        "error": "spawner: request too large"})
            return
        self.seq += 1
        try:
            os.write(self.zsock, b"%d\n%s" % (self.seq, line))
        except OSError as e:
            self._send({"ok": False, "rid": rid, "kind": "Unavailable", "exit_code": 125,
                        "error": f"spawner: cannot reach the zygote: {e.strerror}"})
            return
        self.pending[self.seq] = Pending(rid)

    def _on_packet(self) -> None:
        msg = json.loads(os.read(self.zsock, 1 << 16))
        p = self.pending.get(msg.pop("seq", None))
        if p is None:
            return
        if "ok" in msg:
            self._done(p, msg)
            return
        try:
            p.pidfd = os.pidfd_open(msg["pid"])
        except ProcessLookupError:  # gone already: its last packet is queued, or none is
            self._drain()
            if p in self.pending.values():
                self._done(p, DIED)
            return
        self.poll.register(p.pidfd, select.POLLIN)

    def _drain(self) -> None:
        """Handle every packet already queued (a monitor's last words before it died)."""
        os.set_blocking(self.zsock, False)
        try:
            while True:
                self._on_packet()
        except BlockingIOError:
            pass
        finally:
            os.set_blocking(self.zsock, True)

    def _on_pidfd(self, fd: int) -> None:
        self._drain()
        for p in list(self.pending.values()):
            if p.pidfd == fd:
                self._done(p, DIED)

    def _done(self, p: Pending, msg: dict[str, Any]) -> None:
        for seq, q in list(self.pending.items()):
            if q is p:
                del self.pending[seq]
        if p.pidfd >= 0:
            self.poll.unregister(p.pidfd)
            os.close(p.pidfd)
            p.pidfd = -1
        self._send(dict(msg, rid=p.rid) if p.rid is not None else msg)

    def _send(self, msg: dict[str, Any]) -> None:
        data = records.encode(msg)
        while data:
            data = data[os.write(self.sock, data):]


DIED = {"ok": False, "kind": "Unavailable", "exit_code": 125,
        "error": "monitor died while creating the container"}


def start_zygote(close_fd: int) -> tuple[int, int]:
    """Fork the zygote; (the spawner's end of the packet pair, the zygote's pid)."""
    mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    zfd, sfd = theirs.detach(), mine.detach()
    os.set_inheritable(zfd, False)
    os.set_inheritable(sfd, False)
    pid = os.fork()
    if pid == 0:
        try:
            os.close(close_fd)
            os.close(sfd)
            gc.disable()
            _zygote(zfd)
        finally:
            os._exit(0)
    os.close(zfd)
    return sfd, pid


def _zygote(fd: int) -> None:
    """Read a request packet, fork A for it, reap A; until EOF. Writes next to nothing
    between forks, so each monitor starts sharing almost all of its pages."""
    read, fork, waitpid = os.read, os.fork, os.waitpid
    while True:
        data = read(fd, MAX_PACKET)
        if not data:
            return
        pid = fork()
        if pid == 0:
            _intermediate(data, fd)
        waitpid(pid, 0)


def _intermediate(data: bytes, fd: int) -> None:
    """Child A: new session, fork the monitor, tell the spawner its pid, leave."""
    seq = data[:data.index(b"\n")]
    try:
        os.setsid()
        pid = os.fork()
        if pid == 0:
            _become_monitor(data, fd)
        os.write(fd, b'{"seq":%s,"pid":%d}' % (seq, pid))
    except BaseException as e:
        with contextlib.suppress(BaseException):
            os.write(fd, records.encode({"seq": int(seq), "ok": False, "kind": "Unavailable",
                                         "exit_code": 125, "error": f"spawner: {e}"}))
    finally:
        os._exit(0)


def _become_monitor(data: bytes, fd: int) -> None:
    """Child B: drop every fd but the packet socket, stdio to /dev/null, run the monitor."""
    os.closerange(3, fd)
    os.closerange(fd + 1, 65536)
    null = os.open("/dev/null", os.O_RDWR)
    for i in (0, 1, 2):
        os.dup2(null, i)
    if null > 2:
        os.close(null)
    gc.enable()
    seq, _, line = data.partition(b"\n")
    from berth.monitor.monitor import main as monitor_main
    monitor_main(json.loads(line), fd, {"seq": int(seq)})


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
