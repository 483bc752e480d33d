"""``start``: release the init blocked on the exec fifo, then run poststart hooks."""

from __future__ import annotations

import os
import select
import sys

from berth.errdefs import FailedPrecondition
from berth.runtime import hooks
from berth.runtime.container import Container
from berth.runtime.state import StateStore

TYPE_CHECKING = False
if TYPE_CHECKING:
    from berth.runtime.state import StrPath


def start(root: StrPath, cid: str) -> None:
    """Let container ``cid`` execve its process (runc: reading the fifo frees the init)."""
    c = Container(StateStore(root), cid)
    status = c.status()
    if status == "stopped":
        raise FailedPrecondition(f"container {cid}: cannot start a container that has stopped")
    if status != "created":
        raise FailedPrecondition(f"container {cid}: cannot start a container in state {status}"
                                 " (already started)")
    fifo = os.path.join(c.dir, "exec.fifo")
    release(fifo, c.pid, cid)
    try:
        os.unlink(fifo)
    except FileNotFoundError:
        pass
    try:
        if hooks.hooks_of(c.config, "poststart"):  # the state costs /proc and cgroup reads
            hooks.run_hooks(c.config, "poststart", dict(c.public_state(), status="running"))
    except FailedPrecondition as e:
        print(f"berth-runtime: warning: {e}", file=sys.stderr)


def release(fifo: str, pid: int, cid: str) -> None:
    """Read the init's byte from the fifo; fail clearly if the init died instead. (Also
    a container monitor's set-up, which starts a container as it creates it.)"""
    try:
        fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise FailedPrecondition(f"container {cid}: already started") from None
    try:
        pidfd = os.pidfd_open(pid)
    except ProcessLookupError:
        os.close(fd)
        raise FailedPrecondition(f"container {cid}: init process {pid} is gone") from None
    try:
        p = select.poll()
        p.register(fd, select.POLLIN)
        p.register(pidfd, select.POLLIN)
        while True:
            ready = dict(p.poll(30_000))
            if not ready:
                raise FailedPrecondition(f"container {cid}: init did not open the exec fifo")
            if fd in ready:
                data = os.read(fd, 1)
                if data:
                    return
            if pidfd in ready:
                raise FailedPrecondition(f"container {cid}: init process {pid} exited before"
                                         " start")
    finally:
        os.close(fd)
        os.close(pidfd)
