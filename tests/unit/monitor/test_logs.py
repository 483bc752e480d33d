"""Log drivers and the reader, on plain files (no root)."""

from __future__ import annotations

import functools
import gzip
import json
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from berth.errdefs import InvalidArgument
from berth.monitor.logs import open_writer, parse_size
from berth.monitor.logs.jsonfile import encode
from berth.monitor.logs.lines import MAX_MESSAGE, LineSplitter
from berth.monitor.logs.local import decode_all
from berth.monitor.logs.local import encode as local_encode
from berth.monitor.logs.reader import follow_logs, read_logs
from berth.monitor.logs.timefmt import format_ns, parse_ns

T0 = 1_795_881_600_123_456_789  # 2026-11-28T16:00:00.123456789Z


def test_json_line_matches_docker() -> None:
    line = encode("stdout", b"a <b> & \xff\n", T0)
    assert line == ('{"log":"a \\u003cb\\u003e \\u0026 \ufffd\\n","stream":"stdout",'
                    '"time":"2026-11-28T16:00:00.123456789Z"}\n').encode()


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


def test_splitter_cuts_lines_and_long_partials() -> None:
    sp = LineSplitter()
    assert sp.feed(b"ab") == []
    assert sp.feed(b"c\nd\nef") == [(b"abc\n", False), (b"d\n", False)]
    big = sp.feed(b"x" * (MAX_MESSAGE + 5))
    assert big == [(b"ef" + b"x" * (MAX_MESSAGE - 2), True)]
    assert sp.flush() == [(b"x" * 7, True)]
    assert sp.flush() == []


def test_local_format_round_trips_and_stops_at_a_torn_record() -> None:
    data = local_encode("stdout", b"one\n", False, T0) + local_encode("stderr", b"tw", True, T0)
    recs = [r for _end, r in decode_all(data + data[:7])]
    assert recs == [("stdout", b"one\n", T0, False), ("stderr", b"tw", T0, True)]


def test_unknown_driver_and_bad_max_file_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgument, match="syslog"):
        open_writer({"driver": "syslog", "path": str(tmp_path / "x")})
    with pytest.raises(InvalidArgument, match="max-file"):
        open_writer({"driver": "json-file", "path": str(tmp_path / "x"), "max_file": 0})
    assert open_writer({"driver": "none"}) is None


def _write(path: Path, n: int, **cfg: object) -> None:
    w = open_writer({"driver": "json-file", "path": str(path), **cfg})
    assert w is not None
    for i in range(n):
        w.write("stderr" if i % 2 else "stdout", f"m{i}\n".encode(), False, T0 + i * 10**9)
    w.close()


def test_rotation_compresses_and_reader_reads_across_files(tmp_path: Path) -> None:
    log = tmp_path / "c-json.log"
    _write(log, 200, max_size="1k", max_file=4, compress=True)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["c-json.log", "c-json.log.1.gz", "c-json.log.2.gz", "c-json.log.3.gz"]
    first = gzip.decompress((tmp_path / "c-json.log.1.gz").read_bytes()).splitlines()[0]
    assert json.loads(first)["log"].startswith("m")
    msgs = [m for _s, m, _t in read_logs(str(log))]
    assert msgs[-1] == b"m199\n"
    nums = [int(m[1:]) for m in msgs]
    assert nums == list(range(nums[0], 200))


def test_max_file_one_truncates(tmp_path: Path) -> None:
    log = tmp_path / "c-json.log"
    _write(log, 100, max_size="500", max_file=1)
    assert [p.name for p in tmp_path.iterdir()] == ["c-json.log"]
    assert log.stat().st_size < 600


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


def test_follow_sees_new_lines_across_rotation_then_ends(tmp_path: Path) -> None:
    log = tmp_path / "c-json.log"
    w = open_writer({"driver": "json-file", "path": str(log), "max_size": "300",
                     "max_file": 3})
    assert w is not None
    w.write("stdout", b"first\n", False, T0)
    done = threading.Event()
    got: list[bytes] = []
    follower = threading.Thread(target=lambda: got.extend(
        m for _s, m, _t in read_logs(str(log), follow=True, done=done.is_set, interval=0.01)))
    follower.start()
    for i in range(20):  # ~4 rotations; the follower keeps up (one at a time)
        w.write("stdout", f"more-{i}\n".encode(), False, T0)
        wait_until(functools.partial(lambda n: len(got) == n, i + 2))
    w.close()
    done.set()
    follower.join(10)
    assert not follower.is_alive()
    assert got == [b"first\n"] + [f"more-{i}\n".encode() for i in range(20)]


def wait_until(cond: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "condition not met"
        time.sleep(0.002)


def test_async_follow_local_driver(tmp_path: Path) -> None:
    import asyncio
    log = tmp_path / "container.log"
    w = open_writer({"driver": "local", "path": str(log)})
    assert w is not None
    w.write("stderr", b"raw\x00bytes", True, T0)

    async def go() -> list[tuple[str, bytes, int]]:
        out = []
        flag = {"done": False}
        async for rec in follow_logs(str(log), driver="local", done=lambda: flag["done"],
                                     interval=0.01):
            out.append(rec)
            if len(out) == 1:
                w.write("stdout", b"next\n", False, T0 + 1)
                w.close()
                flag["done"] = True
        return out

    assert asyncio.run(go()) == [("stderr", b"raw\x00bytes", T0), ("stdout", b"next\n", T0 + 1)]
