"""Real monitors through the real spawner: logs, exit codes, attach, stdin, survival."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import struct
from pathlib import Path

import pytest
from tests.privileged.monitor.conftest import Box, wait_for

from berth.errdefs import BerthError
from berth.monitor import client, records

pytestmark = pytest.mark.root

TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$")


def _ppid(pid: int) -> int | None:
    """The parent of ``pid``; None once it is gone (reaped)."""
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except FileNotFoundError:
        return None


def test_json_file_log_and_exit_code(box: Box) -> None:
    cid = box.spawn_ok(["sh", "-c", "echo hello; echo oops >&2; printf tail; exit 3"])
    assert box.start(cid) > 0
    rec = box.wait(cid)
    assert rec["exit_code"] == 3 and rec["oom_killed"] is False
    assert TIME.match(rec["finished_at"])
    lines = box.log_path(cid).read_text().splitlines()
    objs = [json.loads(line) for line in lines]
    assert [(o["log"], o["stream"]) for o in objs] == [
        ("hello\n", "stdout"), ("oops\n", "stderr"), ("tail", "stdout")]
    assert all(list(o) == ["log", "stream", "time"] and TIME.match(o["time"]) for o in objs)
    assert lines[0].startswith('{"log":"hello\\n","stream":"stdout","time":"')
    assert json.loads((box.state_dir(cid) / "exit.json").read_text())["exit_code"] == 3
    assert sorted(os.listdir(box.state_dir(cid))) == sorted(["exit.json", f"{cid}-json.log"])


def test_exit_zero(box: Box) -> None:
    cid = box.spawn_ok(["true"])
    box.start(cid)
    assert box.wait(cid)["exit_code"] == 0


def test_spawn_with_start_runs_the_container_without_a_start_op(box: Box) -> None:
    """``"start": true``: the set-up releases the init before it replies (berthd sends no
    start op); output written before berth-monitor reads is logged all the same, and a
    later start op is refused."""
    cid, reply = box.spawn(["sh", "-c", "echo early; exit 4"], start=True)
    assert reply["ok"] and reply["started"] is True and reply["pid"] > 0, reply
    assert box.wait(cid)["exit_code"] == 4
    assert '"log":"early\\n"' in box.log_path(cid).read_text()
    cid2, reply2 = box.spawn(["sleep", "100"], start=True)
    assert reply2["started"] is True
    with pytest.raises(BerthError, match="already started"):
        box.start(cid2)
    box.run(client.signal(box.sock(cid2), signal.SIGKILL))
    assert box.wait(cid2)["exit_code"] == 137


def test_sigkill_through_signal_op_is_137(box: Box) -> None:
    cid = box.spawn_ok(["sleep", "100"])
    box.start(cid)
    box.run(client.signal(box.sock(cid), signal.SIGKILL))
    assert box.wait(cid)["exit_code"] == 137


def test_missing_binary_is_127_with_a_clear_message(box: Box) -> None:
    cid, reply = box.spawn(["/no/such/binary"])
    assert reply["ok"] is False and reply["exit_code"] == 127, reply
    assert "/no/such/binary" in reply["error"], reply
    assert not (box.runtime_root / cid).exists()
    assert not (box.state_dir(cid) / records.SOCK_FILE).exists()


def test_not_executable_is_126(box: Box) -> None:
    _cid, reply = box.spawn(["/etc/passwd"])
    assert reply["ok"] is False and reply["exit_code"] == 126, reply


def _read_frames(data: bytes) -> list[tuple[int, bytes]]:
    out = []
    while data:
        stream, size = struct.unpack(">BxxxI", data[:8])
        out.append((stream, data[8:8 + size]))
        data = data[8 + size:]
    return out


def test_attach_gets_live_output_as_stdcopy(box: Box) -> None:
    cid = box.spawn_ok(["sh", "-c", "echo out; echo err >&2"])

    async def go() -> bytes:
        reader, writer = await client.open_attach(box.sock(cid), False, True, True)
        writer.write_eof()  # like the docker CLI without stdin: output must keep flowing
        await client.start(box.sock(cid))
        data = await asyncio.wait_for(reader.read(), 20)
        writer.close()
        return data

    frames = _read_frames(box.run(go()))
    assert sorted(frames) == [(1, b"out\n"), (2, b"err\n")]
    assert box.wait(cid)["exit_code"] == 0


def test_stdin_echo_with_stdin_once(box: Box) -> None:
    cid = box.spawn_ok(["cat"], stdin=True, stdin_once=True)

    async def go() -> bytes:
        reader, writer = await client.open_attach(box.sock(cid), True, True, True)
        await client.start(box.sock(cid))
        writer.write(b"ping\n")
        await writer.drain()
        writer.write_eof()
        data = await asyncio.wait_for(reader.read(), 20)
        writer.close()
        return data

    assert _read_frames(box.run(go())) == [(1, b"ping\n")]
    assert box.wait(cid)["exit_code"] == 0


def test_tty_output_is_raw_and_resize_works(box: Box) -> None:
    cid = box.spawn_ok(["sh", "-c", "read x; stty size; echo got-$x"], tty=True, stdin=True)

    async def go() -> bytes:
        reader, writer = await client.open_attach(box.sock(cid), True, True, True)
        await client.start(box.sock(cid))
        await client.resize(box.sock(cid), 33, 101)
        writer.write(b"yo\n")
        await writer.drain()
        data = await asyncio.wait_for(reader.read(), 20)
        writer.close()
        return data

    out = box.run(go())
    assert b"33 101" in out and b"got-yo" in out, out
    assert box.wait(cid)["exit_code"] == 0


def test_exit_while_nobody_is_connected_leaves_exit_json(box: Box) -> None:
    cid = box.spawn_ok(["sh", "-c", "exit 5"])
    monitor = box.monitor_pid(cid)
    assert monitor and _ppid(monitor) == box.spawner.pid  # one fork: the spawner's child
    box.start(cid)
    rec = wait_for(lambda: client.read_exit(box.state_dir(cid)))
    assert rec["exit_code"] == 5 and rec["error"] == ""
    wait_for(lambda: not client.monitor_alive(box.state_dir(cid)))
    # the live spawner reaped it: no zombie left behind
    wait_for(lambda: _ppid(monitor) is None, what="the monitor reaped by the spawner")
    # wait after the monitor is gone: answered from exit.json
    assert box.wait(cid)["exit_code"] == 5


def test_monitor_survives_its_spawner_being_killed(box: Box) -> None:
    cid = box.spawn_ok(["sh", "-c", "i=0; while true; do echo tick-$i; i=$((i+1)); "
                        "sleep 0.05; done"])
    box.start(cid)
    wait_for(lambda: b"tick-1" in box.log_path(cid).read_bytes())
    spawner = box.spawner.pid
    monitor = box.monitor_pid(cid)
    assert monitor and _ppid(monitor) == spawner
    os.kill(spawner, signal.SIGKILL)
    wait_for(lambda: not box.spawner.alive())
    assert client.monitor_alive(box.state_dir(cid))
    assert _ppid(monitor) not in (None, spawner)  # re-parented, still running
    size = box.log_path(cid).stat().st_size
    wait_for(lambda: box.log_path(cid).stat().st_size > size + 100)
    # the next spawn restarts the spawner
    other = box.spawn_ok(["true"])
    assert box.spawner.pid not in (0, spawner)
    box.start(other)
    assert box.wait(other)["exit_code"] == 0
    box.run(client.signal(box.sock(cid), signal.SIGKILL))
    assert box.wait(cid)["exit_code"] == 137


def test_log_rotation_max_size_and_max_file(box: Box) -> None:
    cid = box.spawn_ok(["sh", "-c", "i=0; while [ $i -lt 3000 ]; do echo line-$i; "
                        "i=$((i+1)); done"],
                       log={"max_size": "8k", "max_file": 3, "compress": True})
    box.start(cid)
    assert box.wait(cid)["exit_code"] == 0
    log = box.log_path(cid)
    names = sorted(p.name for p in log.parent.iterdir() if p.name.startswith(log.name))
    assert names == [log.name, f"{log.name}.1.gz", f"{log.name}.2.gz"], names
    assert log.stat().st_size < 8192 + 200
    from berth.monitor.logs.reader import read_logs
    msgs = [m for _s, m, _t in read_logs(str(log))]
    assert msgs[-1] == b"line-2999\n"
    nums = [int(m[5:]) for m in msgs]
    assert nums == list(range(nums[0], 3000)) and nums[0] > 0


def test_monitor_pss(box: Box) -> None:
    cid = box.spawn_ok(["sleep", "100"])
    box.start(cid)
    pid = box.monitor_pid(cid)
    assert pid
    rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    fields = {k: int(v.split()[0]) for k, v in
              (line.split(":", 1) for line in rollup.splitlines()[1:])}
    print(f"\nmonitor pid {pid}: Pss {fields['Pss']} kB, Rss {fields['Rss']} kB,"
          f" Private {fields['Private_Dirty'] + fields['Private_Clean']} kB")
    assert fields["Pss"] > 0
    box.run(client.signal(box.sock(cid), signal.SIGKILL))
    assert box.wait(cid)["exit_code"] == 137
