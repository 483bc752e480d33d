"""An exec's monitor: the container monitor's loop and protocol for one ``docker exec``.

Why a monitor of its own: an exec's stdio, exit code and attach must behave like the
container's (stdcopy framing, pty via a console socket, resize, ``wait``), and it must
outlive berthd just as well; so the spawner forks one per exec (``"op": "exec"``) and it
runs ``loop.Monitor`` with this set-up (a container's monitor is native after its set-up;
an exec's stays Python: it is short-lived). Differences from a container's ``Setup``:

- set-up makes only the stdio (pipes, or a console socket to receive the pty master),
  ``monitor.pid`` and ``monitor.sock`` in the exec's own state dir; the reply comes
  before the process exists, so berthd can attach first and lose no output;
- ``start`` runs ``berth.runtime.exec_process`` in a throwaway child (it joins the init's
  namespaces and cgroup; we are a subreaper, so the process is re-parented to us) and
  takes the pty master; a failure (127 missing binary, 126 not executable) ends the
  monitor with that exit code in ``exit.json``;
- after the exit there is nothing to delete: the container lives on;
- a monitor nobody starts within ``START_TIMEOUT`` s gives up (exit code 126).
"""

from __future__ import annotations

import os
import time

from berth.monitor import records
from berth.monitor.monitor import Setup, listen

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

START_TIMEOUT = 30.0  # berthd sends start right after the spawn reply
REQUIRED = ("id", "exec_id", "runtime_root", "state_dir", "process")


class ExecSetup(Setup):
    def __init__(self, req: dict[str, Any]) -> None:
        super().__init__(req)
        self.exec_id: str = req["exec_id"]
        self.console: str | None = None
        self.state = {"pid": 0}
        self.start_deadline = time.monotonic() + float(req.get("start_timeout")
                                                       or START_TIMEOUT)

    def run(self) -> None:
        from berth.sys import prctl
        prctl.set_child_subreaper(True)
        os.chdir(self.state_dir)
        if self.stdio.tty:
            self.console = self.stdio.listen_console(f"\0berth-exec-console-{os.getpid()}")
        records.write_pid(self.state_dir, os.getpid())
        self.listener = listen(records.SOCK_FILE)

    def start(self) -> int:
        from berth.errdefs import FailedPrecondition
        if self.created:
            raise FailedPrecondition(f"exec {self.exec_id}: already started")
        from berth.monitor import child
        reply = child.call(child.exec_process, self.runtime_root, self.cid,
                           self.req["process"], self.stdio.child, self.console,
                           self.req.get("seccomp_cache"))
        self.stdio.close_child()
        if not reply.get("ok"):
            raise records.error_from_reply(reply)
        self.created = True
        if self.stdio.tty:
            self.stdio.take_console()
            size = self.req.get("console_size") or [0, 0]
            if self.stdio.out is not None and len(size) == 2 and size[0] and size[1]:
                from berth.runtime.tty import set_size
                set_size(self.stdio.out, int(size[0]), int(size[1]))
        return int(reply["result"])

    def start_failed(self, e: BaseException) -> dict[str, Any]:
        if self.stdio.console is not None:
            self.stdio.console.close()
            self.stdio.console = None
        code = int(getattr(e, "code", 0) or 126)
        msg = getattr(e, "message", None) or str(e)
        return records.exit_record(code, False, records.now_rfc3339(), msg)

    def serve(self) -> None:
        from berth.monitor.loop import Monitor
        Monitor(self).serve()

    def undo(self) -> None:
        self.created = False  # never delete the container: it is not ours
        super().undo()
