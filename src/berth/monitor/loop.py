"""The monitor's poll loop: output → log + attachers, monitor.sock ops, child exits.

Single-threaded over ``select.poll`` (no asyncio: it would cost the monitor ~1 MiB).
SIGCHLD arrives as a byte on a wakeup pipe; every wake reaps all exited children (we
are a subreaper, so orphans of the container land here too). When the init exits: take
the exit status (128+signal when killed), the cgroup's OOM-kill count, delete the runtime
container (kills stragglers, removes the cgroup and state), read the output to EOF (at
most ``DRAIN`` seconds), then ``_finish`` writes exit.json, answers waiters and exits.
"""

from __future__ import annotations

import os
import select
import signal
import time

from berth.errdefs import BerthError
from berth.monitor import records
from berth.monitor.conn import Conn, frame
from berth.monitor.logs.lines import LineSplitter

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from berth.monitor.monitor import Setup

IN, OUT = select.POLLIN, select.POLLOUT
GONE = select.POLLHUP | select.POLLERR | select.POLLNVAL
DRAIN = 2.0
MAX_STDIN = 1 << 20


class Monitor:
    def __init__(self, setup: Setup) -> None:
        self.s, self.stdio = setup, setup.stdio
        self.poll = select.poll()
        self.handlers: dict[int, Callable[[int], None]] = {}
        self.conns: dict[int, Conn] = {}
        self.outputs: dict[int, str] = {}
        self.split = {"stdout": LineSplitter(), "stderr": LineSplitter()}
        self.stdin_buf = bytearray()
        self.stdin_eof = False
        self.init_pid: int = setup.state["pid"]
        self.exit: dict[str, Any] | None = None
        self.deadline = 0.0
        self._signals()
        assert setup.listener is not None
        self.listener = setup.listener
        self._watch(self.listener.fileno(), IN, self._accept)
        for fd, stream in ((self.stdio.out, "stdout"), (self.stdio.err, "stderr")):
            if fd is not None:
                os.set_blocking(fd, False)
                self.outputs[fd] = stream
                self._watch(fd, IN, self._output_handler(fd))
        if self.stdio.inp is not None and self.stdio.inp not in self.outputs:
            os.set_blocking(self.stdio.inp, False)
            self.handlers[self.stdio.inp] = lambda ev: self._flush_stdin()

    def _output_handler(self, fd: int) -> Callable[[int], None]:
        return lambda ev: self._on_output(fd, ev)

    def _signals(self) -> None:
        self.sig_r, sig_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        signal.set_wakeup_fd(sig_w, warn_on_full_buffer=False)
        signal.signal(signal.SIGCHLD, lambda n, f: None)
        for sig in (signal.SIGHUP, signal.SIGINT):
            signal.signal(sig, signal.SIG_IGN)
        self._watch(self.sig_r, IN, self._on_signal)

    def _watch(self, fd: int, mask: int, handler: Callable[[int], None]) -> None:
        self.handlers[fd] = handler
        self.poll.register(fd, mask)

    def serve(self) -> None:
        self._reap()
        while not self._done():
            timeout = None
            if self.exit is not None:
                timeout = max(0, int((self.deadline - time.monotonic()) * 1000))
            for fd, ev in self.poll.poll(timeout):
                handler = self.handlers.get(fd)
                if handler is not None:
                    handler(ev)
        self._finish()

    def _done(self) -> bool:
        if self.exit is None:
            return False
        return not self.outputs or time.monotonic() >= self.deadline

    # --- children -------------------------------------------------------------------
    def _on_signal(self, ev: int) -> None:
        try:
            while os.read(self.sig_r, 512):
                pass
        except BlockingIOError:
            pass
        self._reap()

    def _reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid == self.init_pid and self.exit is None:
                self._init_exited(status)

    def _init_exited(self, status: int) -> None:
        finished = records.now_rfc3339()
        code = 128 + os.WTERMSIG(status) if os.WIFSIGNALED(status) else \
            os.waitstatus_to_exitcode(status)
        oom, error = self._oom_killed(), ""
        try:
            from berth.runtime.ops import delete
            delete(self.s.runtime_root, self.s.cid, force=True)
        except Exception as e:
            error = f"cleaning up the container failed: {e}"
        self.exit = records.exit_record(code, oom, finished, error)
        self.deadline = time.monotonic() + DRAIN
        if self.stdin_buf or self.stdio.inp is not None:
            self.stdin_buf.clear()
            self._set_stdin_mask()

    def _oom_killed(self) -> bool:
        paths = self.s.state.get("cgroupPaths")
        if not paths:
            return False
        try:
            from berth.runtime.cgroups import from_paths
            return from_paths(paths).oom_kill_count() > 0
        except (OSError, BerthError, ValueError):
            return False

    # --- container output and input -------------------------------------------------
    def _on_output(self, fd: int, ev: int) -> None:
        if ev & OUT:
            self._flush_stdin()
        if not ev & (IN | GONE):
            return
        try:
            data = os.read(fd, 1 << 16)
        except BlockingIOError:
            return
        except OSError:  # EIO: the pty's last slave fd closed
            data = b""
        if not data:
            self._close_output(fd)
            return
        stream = self.outputs[fd]
        self._log(stream, self.split[stream].feed(data))
        wire = data if self.stdio.tty else frame(stream, data)
        for conn in list(self.conns.values()):
            if conn.wants(stream) and not conn.queue(wire):
                self._drop(conn)
            elif conn.wants(stream):
                self._flush_conn(conn)

    def _log(self, stream: str, msgs: list[tuple[bytes, bool]]) -> None:
        if self.s.writer is None or not msgs:
            return
        now = time.time_ns()
        for msg, partial in msgs:
            self.s.writer.write(stream, msg, partial, now)

    def _close_output(self, fd: int) -> None:
        stream = self.outputs.pop(fd)
        self._log(stream, self.split[stream].flush())
        self.poll.unregister(fd)
        del self.handlers[fd]
        if fd == self.stdio.inp:
            self.stdio.inp = None
        os.close(fd)

    def feed_stdin(self, data: bytes) -> None:
        if self.stdio.inp is None or self.exit is not None:
            return
        self.stdin_buf += data
        self._flush_stdin()

    def _flush_stdin(self) -> None:
        fd = self.stdio.inp
        try:
            while fd is not None and self.stdin_buf:
                n = os.write(fd, self.stdin_buf)
                del self.stdin_buf[:n]
        except BlockingIOError:
            pass
        except OSError:  # the container closed its stdin
            self.stdin_buf.clear()
            self.stdin_eof = True
        if self.stdin_eof and not self.stdin_buf and fd is not None:
            self._close_stdin()
        self._set_stdin_mask()

    def _close_stdin(self) -> None:
        fd = self.stdio.inp
        if fd is not None and fd not in self.outputs:
            self.handlers.pop(fd, None)
            try:
                self.poll.unregister(fd)
            except KeyError:
                pass
        self.stdio.close_input()

    def _set_stdin_mask(self) -> None:
        fd = self.stdio.inp
        if fd is None:
            return
        mask = (IN if fd in self.outputs else 0) | (OUT if self.stdin_buf else 0)
        if mask:
            self.poll.register(fd, mask)
        else:
            try:
                self.poll.unregister(fd)
            except KeyError:
                pass
        for conn in self.conns.values():
            self._conn_mask(conn)

    def end_stdin(self) -> None:
        """StdinOnce: the attached client closed its stdin, so the container's ends too."""
        self.stdin_eof = True
        self._flush_stdin()

    # --- monitor.sock clients -------------------------------------------------------
    def _accept(self, ev: int) -> None:
        try:
            sock, _ = self.listener.accept()
        except BlockingIOError:
            return
        conn = Conn(sock)
        self.conns[conn.fd] = conn
        self._watch(conn.fd, IN, lambda ev: self._on_conn(conn, ev))

    def _on_conn(self, conn: Conn, ev: int) -> None:
        from berth.monitor.ops import on_readable
        if ev & (IN | GONE) and conn.reading:
            on_readable(self, conn)
        elif ev & GONE and not conn.reading:
            self._drop(conn)
            return
        if conn.fd in self.conns:
            self._flush_conn(conn)

    def _flush_conn(self, conn: Conn) -> None:
        if not conn.flush():
            self._drop(conn)
        else:
            self._conn_mask(conn)

    def _conn_mask(self, conn: Conn) -> None:
        stdin_full = conn.wants("stdin") and len(self.stdin_buf) > MAX_STDIN
        mask = (IN if conn.reading and not stdin_full else 0) | (OUT if conn.outbuf else 0)
        self.poll.register(conn.fd, mask)

    def _drop(self, conn: Conn) -> None:
        self.conns.pop(conn.fd, None)
        self.handlers.pop(conn.fd, None)
        try:
            self.poll.unregister(conn.fd)
        except KeyError:
            pass
        conn.close()

    # --- the end --------------------------------------------------------------------
    def _finish(self) -> None:
        assert self.exit is not None
        for fd in list(self.outputs):
            self._close_output(fd)
        if self.s.writer is not None:
            self.s.writer.close()
        records.write_exit(self.s.state_dir, self.exit)
        self.listener.close()
        for name in (records.SOCK_FILE, records.PID_FILE):
            try:
                os.unlink(self.s.state_dir / name)
            except FileNotFoundError:
                pass
        reply = {k: self.exit[k] for k in ("exit_code", "oom_killed", "finished_at", "error")}
        for conn in self.conns.values():
            if conn.op == "wait":
                conn.send(reply)
            conn.flush_blocking(1.0)
            conn.close()


