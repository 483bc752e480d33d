"""Run ``berth-monitor`` directly, without a runtime: a test's own "init" on pipes.

``NativeMon`` does what ``monitor.Setup`` does before the hand-over, minus the runtime:
an exec fifo, pipes (stdout, stderr, optional stdin), a listening ``monitor.sock`` in a
state dir; then it forks P, P forks the init (a Python one-liner that writes the fifo
as the runtime's init does, then runs ``code``) and P execve's berth-monitor with those
fds, so the init is the monitor's child, as in production. ``--`` helper argv is a
one-liner that records its arguments (the clean-up the monitor runs after the exit).
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from berth.monitor import client, handover

HELPER = ("import sys, os, json; d = sys.argv[1]; p = os.path.join(d, 'helper.' + sys.argv[2]); "
          "open(p + '.tmp', 'w').write(json.dumps("
          "{'args': sys.argv[2:], 'exit_json': os.path.exists(os.path.join(d, 'exit.json'))"
          "})); os.rename(p + '.tmp', p)")


class NativeMon:
    def __init__(self, tmp: Path, code: str, *, stdin: bool = False, log: str = "json-file",
                 max_size: int = -1, max_file: int = 1, compress: bool = False,
                 oom_base: int = 0, extra: list[str] | None = None) -> None:
        self.dir = tmp / "state"
        self.dir.mkdir()
        self.fifo = tmp / "exec.fifo"
        os.mkfifo(self.fifo)
        self.oom = tmp / "memory.events"
        self.oom.write_text("oom 0\noom_kill 0\n")
        self.log = self.dir / ("c-json.log" if log == "json-file" else "container.log")
        self.sock = self.dir / "monitor.sock"
        lst = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        lst.bind(str(self.sock))
        lst.listen(16)
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        in_r, in_w = os.pipe() if stdin else (os.open(os.devnull, os.O_RDONLY), -1)
        init = (f"import os, sys; f = os.open({str(self.fifo)!r}, os.O_WRONLY); "
                "os.write(f, b'0'); os.close(f)\n") + code
        args = [handover.binary(), "--id=test", f"--state-dir={self.dir}",
                f"--listen-fd={lst.fileno()}", f"--out-fd={out_r}", f"--err-fd={err_r}",
                f"--exec-fifo={self.fifo}", f"--oom-file={self.oom}", f"--oom-base={oom_base}",
                f"--log-driver={log}", f"--log-path={self.log}", f"--log-max-size={max_size}",
                f"--log-max-file={max_file}", "--runtime-root=/nonexistent"]
        args += (["--log-compress"] if compress else []) + (extra or [])
        if stdin:
            args.append(f"--in-fd={in_w}")
        helper = ["--", sys.executable, "-c", HELPER, str(self.dir)]
        pid = os.fork()
        if pid == 0:  # P: fork the init, then become the monitor
            try:
                os.chdir(self.dir)
                ipid = os.fork()
                if ipid == 0:
                    os.dup2(in_r, 0)
                    os.dup2(out_w, 1)
                    os.dup2(err_w, 2)
                    os.execv(sys.executable, [sys.executable, "-c", init])
                for fd in (lst.fileno(), out_r, err_r, in_w):
                    if fd >= 0:
                        os.set_inheritable(fd, True)
                os.execv(args[0], [*args, f"--init-pid={ipid}", *helper])
            finally:
                os._exit(127)
        for fd in (out_w, err_w, in_r, out_r, err_r, in_w):
            if fd >= 0:
                os.close(fd)
        lst.close()
        self.pid = pid
        self.status: int | None = None
        self.loop = asyncio.new_event_loop()

    def run(self, coro: Any) -> Any:
        return self.loop.run_until_complete(asyncio.wait_for(coro, 30))

    def start(self) -> int:
        return int(self.run(client.start(self.sock)))

    def wait(self) -> dict[str, Any]:
        return dict(self.run(client.wait(self.sock)))

    def request(self, line: bytes) -> bytes:
        """One raw request line (or garbage); the monitor's whole answer."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(10)
            s.connect(str(self.sock))
            s.sendall(line)
            s.shutdown(socket.SHUT_WR)
            out = b""
            while chunk := s.recv(65536):
                out += chunk
            return out

    def close(self) -> None:
        """Kill what is left; reap the monitor (our child)."""
        if self.alive():
            os.kill(self.pid, 9)
            self.exited(10)
        self.loop.close()

    def alive(self) -> bool:
        if self.status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = status
        return self.status is None

    def exited(self, timeout: float = 10.0) -> int:
        """The monitor's exit status, once it has exited."""
        wait_until(lambda: not self.alive(), timeout)
        assert self.status is not None
        return os.waitstatus_to_exitcode(self.status)


def wait_until(cond: Callable[[], object], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "condition not met"
        time.sleep(0.002)
