"""An exec's monitor loop: output → attachers, monitor.sock ops, child exits.

(A container's monitor is native, ``native/main.c``; this loop serves ``execmon``'s
short-lived exec monitors, which have no log.)
Single-threaded over ``select.poll`` (no asyncio: it would cost the monitor ~1 MiB).
``Monitor`` is the loop and the container's life; ``pump.Pump`` moves the container's
output and input, ``clients.Clients`` the monitor.sock connections (``ops`` their
requests). SIGCHLD arrives as a byte on a wakeup pipe; every wake reaps all exited
children (we are a subreaper, so orphans of the container land here too). When the init
exits: take the exit status (128+signal when killed), read the output to EOF (at most
``DRAIN`` seconds), then ``_finish`` writes exit.json, answers waiters and exits.

Memory: the loop is what runs for the container's whole life, in a process that shares
its pages with the spawner until it writes them; it allocates nothing while idle and
calls into the runtime only through ``child``.
"""

from __future__ import annotations

import os
import select
import signal
import time

from berth.errdefs import FailedPrecondition
from berth.monitor import records
from berth.monitor.clients import Clients
from berth.monitor.pump import GONE, IN, Pump

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from berth.monitor.conn import Conn
    from berth.monitor.execmon import ExecSetup

DRAIN = 2.0


class Monitor(Pump, Clients):
    def __init__(self, setup: ExecSetup) -> None:
        self.s, self.stdio = setup, setup.stdio
        self.poll = select.poll()
        self.handlers: dict[int, Callable[[int], None]] = {}
        self.conns: dict[int, Conn] = {}
        self.outputs: dict[int, str] = {}
        self.stdin_buf = bytearray()
        self.stdin_eof = False
        self.init_pid: int = setup.state["pid"]
        self.exit: dict[str, Any] | None = None
        self.deadline = 0.0
        self._signals()
        assert setup.listener is not None
        self.listener = setup.listener
        self._watch(self.listener.fileno(), IN, self._accept)
        self.start_deadline = getattr(setup, "start_deadline", 0.0)
        self._watch_stdio()

    def _watch_stdio(self) -> None:
        """Poll the output fds (and know the stdin fd) not watched yet: at set-up, and
        again after an exec's ``start`` brought its pty master."""
        for fd, stream in ((self.stdio.out, "stdout"), (self.stdio.err, "stderr")):
            if fd is not None and fd not in self.outputs:
                os.set_blocking(fd, False)
                self.outputs[fd] = stream
                self._watch(fd, IN, self._output_handler(fd))
        inp = self.stdio.inp
        if inp is not None and inp not in self.outputs and inp not in self.handlers:
            os.set_blocking(inp, False)
            self.handlers[inp] = lambda ev: self._flush_stdin()

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
            elif self.start_deadline and not self.init_pid:
                timeout = max(0, int((self.start_deadline - time.monotonic()) * 1000))
            for fd, ev in self.poll.poll(timeout):
                handler = self.handlers.get(fd)
                if handler is not None:
                    handler(ev)
        self._finish()

    def _done(self) -> bool:
        if self.exit is None and self.start_deadline and not self.init_pid \
                and time.monotonic() >= self.start_deadline:
            self._ended(records.exit_record(
                126, False, records.now_rfc3339(), "exec was never started"))
        if self.exit is None:
            return False
        return not self.outputs or time.monotonic() >= self.deadline

    def _on_conn(self, conn: Conn, ev: int) -> None:
        from berth.monitor.ops import on_readable
        if ev & (IN | GONE) and conn.reading:
            on_readable(self, conn)
        elif ev & GONE and not conn.reading:
            self._drop(conn)
            return
        if conn.fd in self.conns:
            self._flush_conn(conn)

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

    def start(self) -> int:
        """The ``start`` op: the process's pid. A failed exec start ends the monitor
        (its exit record carries the runtime's 126/127); a container's does not."""
        if self.exit is not None:
            raise FailedPrecondition(f"container {self.s.cid}: cannot start: it has exited")
        try:
            pid = self.s.start()
        except BaseException as e:
            rec = self.s.start_failed(e)
            if rec is not None:
                self._ended(rec, drain=0.0)
            raise
        if pid != self.init_pid:
            self.init_pid = pid
            self._watch_stdio()
            self._reap()  # it may have exited (and been re-parented to us) already
        return pid

    def _init_exited(self, status: int) -> None:
        finished = records.now_rfc3339()
        code = 128 + os.WTERMSIG(status) if os.WIFSIGNALED(status) else \
            os.waitstatus_to_exitcode(status)
        self._ended(records.exit_record(code, False, finished))

    def _ended(self, rec: dict[str, Any], drain: float = DRAIN) -> None:
        """The process is gone: drain output for at most ``drain`` s, then finish."""
        self.exit = rec
        self.deadline = time.monotonic() + drain
        if self.stdin_buf or self.stdio.inp is not None:
            self.stdin_buf.clear()
            self._set_stdin_mask()

    # --- the end --------------------------------------------------------------------
    def _finish(self) -> None:
        assert self.exit is not None
        for fd in list(self.outputs):
            self._close_output(fd)
        records.write_exit(self.s.state_dir, self.exit)
        self.listener.close()
        for name in (records.SOCK_FILE, records.PID_FILE):
            try:
                os.unlink(f"{self.s.state_dir}/{name}")
            except FileNotFoundError:
                pass
        reply = {k: self.exit[k] for k in ("exit_code", "oom_killed", "finished_at", "error")}
        for conn in self.conns.values():
            if conn.op == "wait":
                conn.send(reply)
            conn.flush_blocking(1.0)
            conn.close()
