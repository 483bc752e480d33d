"""berth-monitor run directly on pipes (no root, no runtime): log format, protocol, exits."""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import re
import signal
import socket
import struct
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.unit.monitor.nativemon_util import NativeMon, wait_until

from berth.monitor import client
from berth.monitor.logs.reader import read_logs
from berth.monitor.logs.timefmt import parse_ns

TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{0,8}[1-9])?Z$")
MAX_MESSAGE = 16 * 1024


@pytest.fixture
def mons() -> Iterator[list[NativeMon]]:
    made: list[NativeMon] = []
    yield made
    for m in made:
        m.close()


def run(mons: list[NativeMon], tmp: Path, code: str, **kw: object) -> NativeMon:
    m = NativeMon(tmp, code, **kw)  # type: ignore[arg-type]
    mons.append(m)
    return m


def out(data: bytes, stream: int = 1) -> str:
    return f"os.write({stream}, {data!r})\n"


def test_json_file_escaping_time_and_streams(mons: list[NativeMon], tmp_path: Path) -> None:
    msg = (b'a <b> & "q" \\ \t\x01\x1f \xc3\xa9 \xf0\x9f\x90\xb3 \xe2\x80\xa8\xe2\x80\xa9'
           b" \xff \xe2\x82 \xed\xa0\x80 \xc0\xaf\n")
    m = run(mons, tmp_path, out(msg) + out(b"oops\n", 2) + out(b"tail"))
    before = time.time_ns()
    m.start()
    rec = m.wait()
    after = time.time_ns()
    assert rec["exit_code"] == 0 and rec["oom_killed"] is False and TIME.match(rec["finished_at"])
    lines = m.log.read_bytes().splitlines()
    assert len(lines) == 3
    # moby's jsonlog: short escapes for \n \r \t " \, \u00XX for other controls and < > &,
    # \u2028/\u2029, \ufffd for each invalid byte, other UTF-8 as is
    want = (b'{"log":"a \\u003cb\\u003e \\u0026 \\"q\\" \\\\ \\t\\u0001\\u001f \xc3\xa9 '
            b'\xf0\x9f\x90\xb3 \\u2028\\u2029 \\ufffd \\ufffd\\ufffd '
            b'\\ufffd\\ufffd\\ufffd \\ufffd\\ufffd\\n","stream":"stdout","time":"')
    assert lines[0].startswith(want), lines[0]
    objs = [json.loads(line) for line in lines]
    assert [(o["stream"], list(o)) for o in objs] == [
        ("stdout", ["log", "stream", "time"]), ("stderr", ["log", "stream", "time"]),
        ("stdout", ["log", "stream", "time"])]
    assert objs[1]["log"] == "oops\n" and objs[2]["log"] == "tail"
    for o in objs:
        assert TIME.match(o["time"]), o["time"]
        assert before <= parse_ns(o["time"]) <= after
    got = [(s, msg) for s, msg, _t in read_logs(str(m.log))]
    assert got[1:] == [("stderr", b"oops\n"), ("stdout", b"tail")]
    r = "\ufffd".encode()
    assert got[0][1] == (b'a <b> & "q" \\ \t\x01\x1f \xc3\xa9 \xf0\x9f\x90\xb3 '
                         b"\xe2\x80\xa8\xe2\x80\xa9 " + r + b" " + r * 2 + b" " + r * 3 + b" "
                         + r * 2 + b"\n")
    wait_until((m.dir / "helper.cleanup").exists)
    assert sorted(os.listdir(m.dir)) == ["c-json.log", "exit.json", "helper.cleanup"]


def test_partial_messages_at_16k_and_at_eof(mons: list[NativeMon], tmp_path: Path) -> None:
    exact = b"y" * (MAX_MESSAGE - 1) + b"\n"
    m = run(mons, tmp_path, out(b"x" * (MAX_MESSAGE + 5)) + out(b"\n" + exact + b"end"))
    m.start()
    assert m.wait()["exit_code"] == 0
    objs = [json.loads(line) for line in m.log.read_bytes().splitlines()]
    assert [len(o["log"]) for o in objs] == [MAX_MESSAGE, 6, MAX_MESSAGE, 3]
    assert objs[1]["log"] == "xxxxx\n" and objs[2]["log"] == exact.decode()
    recs = [r for r in _local_or_json(m.log)]
    assert recs == [True, False, False, True]


def _local_or_json(path: Path) -> Iterator[bool]:
    """Partial flags as the reader sees them (json-file: no trailing newline)."""
    from berth.monitor.logs.reader import parse
    recs, _used = parse(path.read_bytes(), "json-file")
    return (r[3] for r in recs)


def test_local_format_round_trips_raw_bytes(mons: list[NativeMon], tmp_path: Path) -> None:
    m = run(mons, tmp_path, out(b"raw\x00bytes\xff", 2) + out(b"next\n"), log="local")
    m.start()
    assert m.wait()["exit_code"] == 0
    got = [(s, msg) for s, msg, _t in read_logs(str(m.log), driver="local")]
    # the line without a newline is held until its stream ends: a partial record then
    assert got == [("stdout", b"next\n"), ("stderr", b"raw\x00bytes\xff")]
    data = m.log.read_bytes()
    n, stream, flags, ns = struct.unpack_from(">IBBQ", data)
    assert (n, stream, flags) == (10 + 5, 1, 0)
    assert struct.unpack_from(">I", data, 4 + n)[0] == n and abs(ns - time.time_ns()) < 60e9


def test_rotation_and_compression_read_back(mons: list[NativeMon], tmp_path: Path) -> None:
    m = run(mons, tmp_path, "for i in range(300): os.write(1, b'm%d\\n' % i)\n",
            max_size=1024, max_file=4, compress=True)
    m.start()
    assert m.wait()["exit_code"] == 0
    names = sorted(p.name for p in m.dir.iterdir() if p.name.startswith("c-json"))
    assert names == ["c-json.log", "c-json.log.1.gz", "c-json.log.2.gz", "c-json.log.3.gz"]
    first = gzip.decompress((m.dir / "c-json.log.1.gz").read_bytes()).splitlines()
    assert json.loads(first[0])["log"].startswith("m")
    assert sum(len(x) + 1 for x in first) >= 1024
    msgs = [msg for _s, msg, _t in read_logs(str(m.log))]
    assert msgs[-1] == b"m299\n"
    nums = [int(x[1:]) for x in msgs]
    assert nums == list(range(nums[0], 300)) and nums[0] > 0


def test_max_file_one_truncates(mons: list[NativeMon], tmp_path: Path) -> None:
    m = run(mons, tmp_path, "for i in range(100): os.write(1, b'line %d\\n' % i)\n",
            max_size=500, max_file=1)
    m.start()
    assert m.wait()["exit_code"] == 0
    assert sorted(p.name for p in m.dir.iterdir() if p.name.startswith("c-json")) == \
        ["c-json.log"]
    assert m.log.stat().st_size < 600


@pytest.mark.parametrize(("code", "exit_code"), [
    ("sys.exit(0)", 0), ("sys.exit(1)", 1), ("os.kill(os.getpid(), 9)", 137),
    ("os.kill(os.getpid(), 15)", 143)])
def test_exit_codes(mons: list[NativeMon], tmp_path: Path, code: str, exit_code: int) -> None:
    m = run(mons, tmp_path, code + "\n")
    m.start()
    rec = m.wait()
    assert rec["exit_code"] == exit_code and rec["oom_killed"] is False
    assert json.loads((m.dir / "exit.json").read_text())["exit_code"] == exit_code
    assert m.exited() == 0
    # the clean-up helper ran after exit.json was written, with root, id and init pid
    wait_until((m.dir / "helper.cleanup").exists)
    helper = json.loads((m.dir / "helper.cleanup").read_text())
    assert helper["exit_json"] is True and helper["args"][:3] == ["cleanup", "/nonexistent",
                                                                  "test"]
    assert not (m.dir / "monitor.sock").exists()


def test_oom_count_above_the_base_is_oom_killed(mons: list[NativeMon], tmp_path: Path) -> None:
    m = run(mons, tmp_path, "os.kill(os.getpid(), 9)\n", oom_base=2)
    m.oom.write_text("oom 3\noom_kill 3\n")  # the kernel counts the kill in the cgroup
    m.start()
    rec = m.wait()
    assert rec == {"exit_code": 137, "oom_killed": True, "finished_at": rec["finished_at"],
                   "error": ""}
    m2 = run(mons, tmp_path / "b" if (tmp_path / "b").mkdir() is None else tmp_path,
             "sys.exit(0)\n", oom_base=0)
    m2.start()
    assert m2.wait()["oom_killed"] is False


def test_malformed_requests_get_an_error_line(mons: list[NativeMon], tmp_path: Path) -> None:
    m = run(mons, tmp_path, "sys.stdin.read()\n", stdin=True)
    cases = {
        b"garbage\n": "monitor request is not JSON",
        b'{"op": "start"\n': "monitor request is not JSON",
        b'{"op": "start"} x\n': "monitor request is not JSON",
        b"[1, 2]\n": 'monitor request needs an "op"',
        b'{"op": 5}\n': 'monitor request needs an "op"',
        b'{"nop": "x", "deep": [[[{"a": [1e5, -0.5, null, true, "\\u00e9"]}]]]}\n':
            'monitor request needs an "op"',
        b'{"op": "fly"}\n': "unknown monitor op 'fly'",
        b'{"op": "resize", "height": "a", "width": 80}\n': "resize: bad size",
        b'{"op": "resize", "height": 24, "width": 80}\n': "has no TTY to resize",
        b'{"op": "signal", "signal": 99}\n': "signal: bad signal number 99",
        b'{"op": "signal"}\n': "signal: bad signal number None",
        b"\xff\xfe\x00\n": "monitor request is not JSON",
        b"[" * 10000 + b"\n": "monitor request is not JSON",
    }
    for line, err in cases.items():
        reply = json.loads(m.request(line))
        assert reply["ok"] is False and err in reply["error"], (line[:40], reply)
        assert reply["kind"] == "InvalidArgument" or "TTY" in err
    reply = json.loads(m.request(b"x" * (1 << 17)))
    assert reply["error"] == "monitor request line too long"
    assert m.request(b'{"op": "wait"') == b""  # EOF before the newline: dropped
    assert m.alive()
    # still serving: a real start and a signal
    assert m.start() > 0
    m.run(client.signal(m.sock, signal.SIGKILL))
    assert m.wait()["exit_code"] == 137


def test_start_twice_and_signal_after_exit(mons: list[NativeMon], tmp_path: Path) -> None:
    m = run(mons, tmp_path, "sys.stdin.read()\n", stdin=True)
    m.start()
    with pytest.raises(Exception, match="already started"):
        m.start()
    m.run(client.signal(m.sock, signal.SIGTERM))
    assert m.wait()["exit_code"] == 143


def test_init_dying_before_start(mons: list[NativeMon], tmp_path: Path) -> None:
    """An init that exits before start: the monitor records it; start is refused."""
    m = run(mons, tmp_path, "")
    m.fifo.unlink()  # the init cannot open the fifo: it dies (exit 1)
    rec = m.wait()
    assert rec["exit_code"] == 1


def test_attach_stdin_echo_and_stdin_once(mons: list[NativeMon], tmp_path: Path) -> None:
    m = run(mons, tmp_path, "d = sys.stdin.buffer.read(); os.write(1, d.upper())\n",
            stdin=True, extra=["--stdin-once"])

    async def go() -> bytes:
        reader, writer = await client.open_attach(m.sock, True, True, True)
        await client.start(m.sock)
        writer.write(b"hello\n")
        await writer.drain()
        writer.write_eof()
        data = await reader.read()
        writer.close()
        return data

    data = m.run(go())
    assert data == struct.pack(">BxxxI", 1, 6) + b"HELLO\n"
    assert m.wait()["exit_code"] == 0


def test_slow_attach_client_is_dropped(mons: list[NativeMon], tmp_path: Path) -> None:
    """A client that reads nothing is cut off after 4 MiB queued; the log is complete."""
    m = run(mons, tmp_path, "for i in range(12): os.write(1, b'z' * (1 << 20))\n",
            log="none")
    slow = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    slow.connect(str(m.sock))
    slow.sendall(b'{"op": "attach", "stdout": true}\n')
    wait_until(lambda: m.request(b'{"op": "signal", "signal": 0}\n') != b"")
    m.start()
    assert m.wait()["exit_code"] == 0  # the container was never stalled by the client
    slow.settimeout(10)
    got = 0
    with slow:
        while chunk := slow.recv(1 << 16):
            got += len(chunk)
    assert got < 8 << 20


def test_waiters_connected_at_exit_all_get_the_record(mons: list[NativeMon],
                                                       tmp_path: Path) -> None:
    m = run(mons, tmp_path, "sys.stdin.read(); sys.exit(7)\n", stdin=True,
            extra=["--stdin-once"])

    async def go() -> list[dict[str, object]]:
        waits = [asyncio.ensure_future(client.wait(m.sock)) for _ in range(5)]
        await client.start(m.sock)
        _r, w = await client.open_attach(m.sock, True, False, False)
        w.write_eof()
        return list(await asyncio.gather(*waits))

    recs = m.run(go())
    assert [r["exit_code"] for r in recs] == [7] * 5


def test_follow_across_rotation_through_the_monitor(mons: list[NativeMon],
                                                    tmp_path: Path) -> None:
    m = run(mons, tmp_path, "for line in sys.stdin.buffer: os.write(1, line)\n", stdin=True,
            max_size=300, max_file=3, extra=["--stdin-once"])
    done = threading.Event()
    got: list[bytes] = []
    m.start()

    async def feed() -> None:
        _r, w = await client.open_attach(m.sock, True, False, False)
        for i in range(20):  # ~4 rotations; the follower keeps up (one at a time)
            w.write(f"more-{i}\n".encode())
            await w.drain()
            while len(got) < i + 1:
                await asyncio.sleep(0.002)
        w.write_eof()

    wait_until(m.log.exists)
    follower = threading.Thread(target=lambda: got.extend(
        msg for _s, msg, _t in read_logs(str(m.log), follow=True, done=done.is_set,
                                         interval=0.01)))
    follower.start()
    m.run(feed())
    assert m.wait()["exit_code"] == 0
    done.set()
    follower.join(10)
    assert not follower.is_alive()
    assert got == [f"more-{i}\n".encode() for i in range(20)]
