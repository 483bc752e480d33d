"""The spawner's fork and reaping, with the monitor's set-up replaced by stand-ins.

Why unprivileged: what is tested here is the spawner's own job (one fork per request, the
child in its own session, replies matched by rid, a child that dies before its reply
turned into an error reply, children reaped at once, children outliving the spawner),
not the container set-up, which tests/privileged/monitor covers.
"""

from __future__ import annotations

import json
import os
import signal
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from berth.monitor import records
from berth.testing.waiting import wait_for


def _stand_in(req: dict[str, Any], fd: int, tag: dict[str, Any]) -> None:
    """``monitor.main`` for these tests: ``id`` says what the "monitor" does."""
    if req["id"] == "die":
        os.kill(os.getpid(), signal.SIGKILL)
    msg = {"ok": True, "monitor_pid": os.getpid(), "sid": os.getsid(0), **tag}
    os.write(fd, records.encode(msg))
    os.close(fd)
    if req["id"] == "live":
        while True:
            signal.pause()
    os._exit(0)


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, ppid) of ``pid``, None once it is gone (reaped)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return fields[0], int(fields[1])


class SpawnerProc:
    """A real ``Spawner`` in a forked child of the test, talked to over a socketpair."""

    def __init__(self) -> None:
        mine, theirs = socket.socketpair()
        self.pid = os.fork()
        if self.pid == 0:
            try:
                mine.close()
                import berth.monitor.monitor as monitor
                from berth.monitor.spawner import Spawner
                monitor.main = _stand_in  # type: ignore[assignment]
                Spawner(theirs.detach()).serve()
            finally:
                os._exit(0)
        theirs.close()
        self.sock = mine
        self.rfile = mine.makefile("rb")
        self.rid = 0

    def spawn(self, cid: str) -> dict[str, Any]:
        self.rid += 1
        req = {"op": "spawn", "id": cid, "bundle": "b", "runtime_root": "r",
               "state_dir": "s", "rid": self.rid}
        self.sock.sendall(records.encode(req))
        reply = json.loads(self.rfile.readline())
        assert reply.pop("rid") == self.rid
        return reply

    def close(self) -> None:
        self.rfile.close()
        self.sock.close()
        os.waitpid(self.pid, 0)


@pytest.fixture
def spawner() -> Iterator[SpawnerProc]:
    sp = SpawnerProc()
    try:
        yield sp
    finally:
        sp.close()


def test_a_monitor_dying_before_its_reply_is_an_error_reply(spawner: SpawnerProc) -> None:
    reply = spawner.spawn("die")
    assert reply["ok"] is False and reply["kind"] == "Unavailable"
    assert "monitor died" in reply["error"]
    assert spawner.spawn("exit")["ok"] is True  # the spawner carries on


def test_one_fork_own_session_and_reaped_at_once(spawner: SpawnerProc) -> None:
    reply = spawner.spawn("exit")
    pid = reply["monitor_pid"]
    assert reply["sid"] == pid  # setsid: its own session, not the spawner's
    wait_for(lambda: _stat(pid) is None, what="the exited monitor reaped (no zombie)")


def test_a_live_monitor_is_the_spawners_child_then_outlives_it(spawner: SpawnerProc) -> None:
    pid = spawner.spawn("live")["monitor_pid"]
    try:
        st = _stat(pid)
        assert st is not None and st[1] == spawner.pid
        spawner.sock.shutdown(socket.SHUT_WR)  # berthd went away: the spawner exits
        wait_for(lambda: (_stat(spawner.pid) or ("Z",))[0] == "Z", what="spawner exit")
        st = _stat(pid)
        assert st is not None and st[0] != "Z" and st[1] != spawner.pid
    finally:
        os.kill(pid, signal.SIGKILL)


def test_replies_and_exits_in_one_poll_batch(spawner: SpawnerProc) -> None:
    """A set-up that replies and exits at once (every failed spawn) makes its packet and
    its pidfd ready together: the pidfd, closed by the reply, must not be used after."""
    for _ in range(100):
        assert spawner.spawn("exit")["ok"] is True
    assert spawner.spawn("die")["ok"] is False
