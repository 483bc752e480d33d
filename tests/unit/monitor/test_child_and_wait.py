"""``child.call`` (runtime work in a throwaway child) and ``client.wait``'s fallbacks."""

from __future__ import annotations

import asyncio
import os
import socket
import threading
from pathlib import Path

import pytest

from berth.errdefs import FailedPrecondition
from berth.monitor import child, client, records


def _boom(code: int) -> None:
    err = FailedPrecondition("no such binary")
    err.code = code  # type: ignore[attr-defined]
    raise err


def test_call_returns_the_result_and_runs_in_another_process() -> None:
    reply = child.call(os.getpid)
    assert reply["ok"] is True and reply["result"] != os.getpid()


def test_call_error_keeps_kind_and_exit_code() -> None:
    reply = child.call(_boom, 127)
    assert reply == {"ok": False, "error": "no such binary", "kind": "FailedPrecondition",
                     "exit_code": 127}
    err = records.error_from_reply(reply)
    assert isinstance(err, FailedPrecondition) and err.message == "no such binary"
    assert records.error_reply(err) == reply


def test_call_child_killed_is_an_error_reply() -> None:
    reply = child.call(os.kill, 0, 0)  # signal 0 to our own group: harmless, returns None
    assert reply == {"ok": True, "result": None}
    reply = child.call(lambda: os.kill(os.getpid(), 9))
    assert reply["ok"] is False and "signal 9" in reply["error"]


def _result_then_hold(gate: int, gate_w: int) -> int:
    """Returns at once; a grandchild (as the container's init) keeps the result pipe's
    write end open until ``gate`` ends, so the result's EOF cannot be waited for."""
    if os.fork() == 0:
        os.close(gate_w)
        os.read(gate, 1)
        os._exit(0)
    return 7


def test_call_returns_while_a_grandchild_holds_the_result_pipe() -> None:
    gate_r, gate_w = os.pipe()
    try:
        reply = child.call(_result_then_hold, gate_r, gate_w)
        assert reply == {"ok": True, "result": 7}
    finally:
        os.close(gate_w)  # the grandchild exits (re-parented to pid 1 or a subreaper)
        os.close(gate_r)


def _serve_once(path: Path, answer: bytes | None) -> threading.Thread:
    """A fake monitor that accepts one wait, then answers ``answer`` or just closes."""
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(str(path))
    srv.listen(1)

    def run() -> None:
        conn, _ = srv.accept()
        conn.recv(100)
        if answer is not None:
            conn.sendall(answer)
        conn.close()
        srv.close()
        path.unlink()

    t = threading.Thread(target=run)
    t.start()
    return t


@pytest.mark.parametrize("answer", [None, b'{"exit_code": 1', b""])
def test_wait_falls_back_to_exit_json_when_the_monitor_goes(tmp_path: Path,
                                                            answer: bytes | None) -> None:
    rec = records.exit_record(3, False, "2026-11-28T16:00:00Z")
    records.write_exit(tmp_path, rec)
    t = _serve_once(tmp_path / records.SOCK_FILE, answer)
    assert asyncio.run(client.wait(tmp_path / records.SOCK_FILE)) == rec
    t.join()


def test_wait_on_a_dead_socket_file_reads_exit_json(tmp_path: Path) -> None:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(tmp_path / records.SOCK_FILE))
    sock.close()  # the file stays, nobody listens: ECONNREFUSED
    assert asyncio.run(client.wait(tmp_path / records.SOCK_FILE))["exit_code"] == 255
    rec = records.exit_record(0, False, "2026-11-28T16:00:00Z")
    records.write_exit(tmp_path, rec)
    assert asyncio.run(client.wait(tmp_path / records.SOCK_FILE)) == rec


def test_wait_returns_the_monitors_answer(tmp_path: Path) -> None:
    t = _serve_once(tmp_path / records.SOCK_FILE,
                    b'{"exit_code":7,"oom_killed":false,"finished_at":"x","error":""}\n')
    assert asyncio.run(client.wait(tmp_path / records.SOCK_FILE))["exit_code"] == 7
    t.join()
