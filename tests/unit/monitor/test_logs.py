"""Log config checks and the reader, on files written here (no root). The writer is the
native monitor's: test_native_monitor.py feeds it through real pipes."""

from __future__ import annotations

import gzip
import json
import struct
from pathlib import Path

import pytest

from berth.errdefs import InvalidArgument
from berth.monitor.logs import log_config, parse_size
from berth.monitor.logs.local import decode_all
from berth.monitor.logs.reader import follow_logs, read_logs
from berth.monitor.logs.timefmt import format_ns, parse_ns

T0 = 1_795_881_600_123_456_789  # 2026-11-28T16:00:00.123456789Z


def json_line(stream: str, msg: bytes, ns: int) -> bytes:
    return json.dumps({"log": msg.decode(), "stream": stream,
                       "time": format_ns(ns)}).encode() + b"\n"


def local_record(stream: str, msg: bytes, partial: bool, ns: int) -> bytes:
    n = 10 + len(msg)
    return (struct.pack(">IBBQ", n, 1 if stream == "stdout" else 2, int(partial), ns) + msg
            + struct.pack(">I", n))


def test_time_format_trims_zeros_and_parses_back() -> None:
    assert format_ns(1_795_881_600_000_000_000) == "2026-11-28T16:00:00Z"
    assert format_ns(1_795_881_600_120_000_000) == "2026-11-28T16:00:00.12Z"
    assert parse_ns(format_ns(T0)) == T0
    assert parse_ns("2026-11-28T17:00:00.5+01:00") == 1_795_881_600_500_000_000


@pytest.mark.parametrize(("text", "size"), [("10m", 10 << 20), ("512k", 512 << 10),
                                            ("1g", 1 << 30), ("100", 100), (None, -1),
                                            ("2MiB", 2 << 20), ("1.5k", 1536)])
def test_parse_size(text: str | None, size: int) -> None:
    assert parse_size(text) == size


def test_parse_size_rejects_garbage() -> None:
    with pytest.raises(InvalidArgument, match="max-size"):
        parse_size("ten")


def test_local_format_round_trips_and_stops_at_a_torn_record() -> None:
    data = local_record("stdout", b"one\n", False, T0) + local_record("stderr", b"tw", True, T0)
    recs = [r for _end, r in decode_all(data + data[:7])]
    assert recs == [("stdout", b"one\n", T0, False), ("stderr", b"tw", T0, True)]


def test_unknown_driver_and_bad_max_file_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgument, match="syslog"):
        log_config({"driver": "syslog", "path": str(tmp_path / "x")})
    with pytest.raises(InvalidArgument, match="max-file"):
        log_config({"driver": "json-file", "path": str(tmp_path / "x"), "max_file": 0})
    with pytest.raises(InvalidArgument, match="no log path"):
        log_config({"driver": "local"})
    assert log_config({"driver": "none"})[0] == "none"
    assert log_config({"driver": "local", "path": "p"}) == ("local", "p", 20 << 20, 5, True)
    assert log_config({"path": "p", "max_size": "1k", "max_file": 3}) == (
        "json-file", "p", 1024, 3, False)


def _write(path: Path, n: int) -> None:
    path.write_bytes(b"".join(json_line("stderr" if i % 2 else "stdout", f"m{i}\n".encode(),
                                        T0 + i * 10**9) for i in range(n)))


def test_reader_reads_rotated_and_compressed_files_in_order(tmp_path: Path) -> None:
    log = tmp_path / "c-json.log"
    lines = [json_line("stdout", f"m{i}\n".encode(), T0 + i) for i in range(6)]
    (tmp_path / "c-json.log.2.gz").write_bytes(gzip.compress(b"".join(lines[:2])))
    (tmp_path / "c-json.log.1").write_bytes(b"".join(lines[2:4]))
    log.write_bytes(b"".join(lines[4:]) + b'{"log":"torn')
    assert [m for _s, m, _t in read_logs(str(log))] == [f"m{i}\n".encode() for i in range(6)]


def test_reader_filters_tail_since_until_timestamps(tmp_path: Path) -> None:
    log = tmp_path / "c-json.log"
    _write(log, 10)
    assert [m for _s, m, _t in read_logs(str(log), tail=2)] == [b"m8\n", b"m9\n"]
    assert [m for _s, m, _t in read_logs(str(log), tail=0)] == []
    # as docker: tail counts entries of both streams, the stream filter comes after
    assert [m for _s, m, _t in read_logs(str(log), stderr=False, tail=2)] == [b"m8\n"]
    first, last = T0 + 7 * 10**9, T0 + 8 * 10**9  # bounds are inclusive, to the nanosecond
    got = [m for _s, m, _t in read_logs(str(log), since_ns=first, until_ns=last)]
    assert got == [b"m7\n", b"m8\n"]
    got = [m for _s, m, _t in read_logs(str(log), since_ns=first + 1, until_ns=last - 1)]
    assert got == []
    stream, msg, _t = next(iter(read_logs(str(log), timestamps=True)))
    assert (stream, msg) == ("stdout", b"2026-11-28T16:00:00.123456789Z m0\n")


def test_async_follow_local_driver(tmp_path: Path) -> None:
    import asyncio
    log = tmp_path / "container.log"
    log.write_bytes(local_record("stderr", b"raw\x00bytes", True, T0))

    async def go() -> list[tuple[str, bytes, int]]:
        out = []
        flag = {"done": False}
        async for rec in follow_logs(str(log), driver="local", done=lambda: flag["done"],
                                     interval=0.01):
            out.append(rec)
            if len(out) == 1:
                with open(log, "ab") as f:
                    f.write(local_record("stdout", b"next\n", False, T0 + 1))
                flag["done"] = True
        return out

    assert asyncio.run(go()) == [("stderr", b"raw\x00bytes", T0), ("stdout", b"next\n", T0 + 1)]
