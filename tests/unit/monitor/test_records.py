"""monitor.pid / exit.json records, request parsing and reply errors (no root)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from berth.errdefs import FailedPrecondition, InvalidArgument
from berth.monitor import client, records
from berth.monitor.conn import frame


def test_monitor_alive_checks_start_time(tmp_path: Path) -> None:
    records.write_pid(tmp_path, os.getpid())
    assert client.monitor_alive(tmp_path)
    pid, start = records.read_pid(tmp_path) or (0, 0)
    (tmp_path / records.PID_FILE).write_text(f"{pid} {start + 1}")  # a recycled pid
    assert not client.monitor_alive(tmp_path)
    (tmp_path / records.PID_FILE).unlink()
    assert not client.monitor_alive(tmp_path)


def test_exit_record_round_trip_and_garbage(tmp_path: Path) -> None:
    assert client.read_exit(tmp_path) is None
    rec = records.exit_record(137, True, "2026-11-28T16:00:00Z")
    records.write_exit(tmp_path, rec)
    assert client.read_exit(tmp_path) == rec
    assert [p.name for p in tmp_path.iterdir()] == ["exit.json"]  # no temp left
    (tmp_path / "exit.json").write_text("{torn")
    bad = client.read_exit(tmp_path)
    assert bad is not None and bad["exit_code"] == 255 and "unreadable" in bad["error"]


def test_error_replies_map_back_to_errdefs() -> None:
    reply = records.error_reply(FailedPrecondition("container x: is not running"))
    with pytest.raises(FailedPrecondition, match="monitor signal: container x"):
        records.raise_reply(reply, "monitor signal")
    assert records.raise_reply({"ok": True, "pid": 3}, "x") == {"ok": True, "pid": 3}


def test_stdcopy_frame() -> None:
    assert frame("stderr", b"hi") == b"\x02\x00\x00\x00\x00\x00\x00\x02hi"


def test_conn_request_parsing() -> None:
    import socket

    from berth.monitor.conn import Conn
    a, b = socket.socketpair()
    with a, b:
        conn = Conn(a)
        assert not conn.read_request(b'{"op": "att')
        assert conn.read_request(b'ach", "stdin": true}\nextra')
        assert conn.op == "attach" and conn.wants("stdin") and bytes(conn.inbuf) == b"extra"
        bad = Conn(b)
        with pytest.raises(InvalidArgument, match="JSON"):
            bad.read_request(b"nope\n")


def test_connect_to_a_missing_socket_is_a_clear_error(tmp_path: Path) -> None:
    import asyncio
    with pytest.raises(FailedPrecondition, match="no monitor is listening"):
        asyncio.run(client.start(tmp_path / "monitor.sock"))
    rec = asyncio.run(client.wait(tmp_path / "monitor.sock"))
    assert rec["exit_code"] == 255 and "without an exit status" in rec["error"]
