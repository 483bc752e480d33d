"""The lean tar reader agrees with tarfile on ustar, GNU and PAX archives."""

from __future__ import annotations

import io
import os
import tarfile

import pytest
from archive_testlib import d, f, hard, make_tar, member, sym

from berth.archive.tarinfo import apply_pax, parse_pax, pax_time_ns
from berth.archive.tarread import TarReader
from berth.errdefs import InvalidArgument, NotImplementedYet

LONG = "dir-" + "x" * 120 + "/" + "name-" + "y" * 150


def entries(tar: bytes, chunk: int = 7) -> list[tuple[str, str, int, bytes]]:
    """Parse with our reader, feeding deliberately tiny chunks to cross every boundary."""
    chunks = iter([tar[i:i + chunk] for i in range(0, len(tar), chunk)])
    reader = TarReader(chunks)
    out = []
    for e in reader:
        body = reader.read(e.size) if e.type == "0" else b""
        reader.skip(-len(body) % 512)
        out.append((e.name, e.type, e.mode, body))
    return out


@pytest.mark.parametrize("fmt", [tarfile.USTAR_FORMAT, tarfile.GNU_FORMAT, tarfile.PAX_FORMAT])
def test_matches_tarfile(fmt: int) -> None:
    members = [d("a/"), f("a/file", b"hello", mode=0o4755), sym("a/l", "file"),
               hard("a/h", "a/file"), f("b" * 99, b"x" * 513)]
    if fmt != tarfile.USTAR_FORMAT:
        members.append(f(LONG, b"long"))
        members.append(sym("ls", "t" * 200))
    else:
        members.append(f("p" * 80 + "/" + "q" * 90, b"prefix-split"))  # ustar prefix field
    tar = make_tar(members, fmt)
    ours = entries(tar)
    with tarfile.open(fileobj=io.BytesIO(tar)) as tf:
        theirs = [(m.name, m.type.decode(), m.mode,
                   tf.extractfile(m).read() if m.isreg() else b"")  # type: ignore[union-attr]
                  for m in tf.getmembers()]
    assert [(n.rstrip("/"), t, m, b) for n, t, m, b in ours] == theirs


def test_pax_fields() -> None:
    ti, _ = f("x", b"", uid=3_000_000_000, gid=7, xattrs={"security.capability": b"\x01\x00"})
    ti.pax_headers["mtime"] = "1600000000.123456789"
    tar = make_tar([(ti, b"")])
    e = next(iter(TarReader(iter([tar]))))
    assert e.uid == 3_000_000_000 and e.gid == 7
    assert e.mtime_ns == 1_600_000_000_123_456_789
    assert e.xattrs == {"security.capability": b"\x01\x00"}


def test_gnu_base256_numbers() -> None:
    tar = make_tar([f("big-uid", b"", uid=2**40)], tarfile.GNU_FORMAT)
    assert next(iter(TarReader(iter([tar])))).uid == 2**40


def test_global_pax_header_applies_to_following() -> None:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT,
                      pax_headers={"uid": "4242"}) as tf:
        tf.addfile(tarfile.TarInfo("a"), io.BytesIO(b""))
    assert [e.uid for e in TarReader(iter([buf.getvalue()]))] == [4242]


def test_checksum_mismatch() -> None:
    tar = bytearray(make_tar([f("a", b"1")]))
    tar[0] ^= 0x20
    with pytest.raises(InvalidArgument, match="checksum"):
        list(TarReader(iter([bytes(tar)])))


def test_truncated_body_and_header() -> None:
    tar = make_tar([f("a", b"z" * 2000)])
    with pytest.raises(InvalidArgument, match="truncated"):
        entries(tar[:1000])
    with pytest.raises(InvalidArgument, match="truncated"):
        list(TarReader(iter([tar[:300]])))


def test_missing_end_blocks_accepted_and_empty_stream() -> None:
    tar = make_tar([f("a", b"1")])
    assert [e[0] for e in entries(tar[:1024])] == ["a"]
    assert list(TarReader(iter([]))) == []


def test_pax_record_parsing() -> None:
    assert parse_pax(b"13 path=abcd\n") == {"path": b"abcd"}
    for bad in (b"99 path=abcd\n", b"x path=a\n", b"8 pathab"):
        with pytest.raises(InvalidArgument):
            parse_pax(bad)
    assert pax_time_ns(b"-1.5") == -1_500_000_000
    with pytest.raises(InvalidArgument):
        pax_time_ns(b"soon")


def test_sparse_pax_refused() -> None:
    e = member("s")[0]
    with pytest.raises(NotImplementedYet):
        from berth.archive.tarinfo import Entry
        apply_pax(Entry(e.name), {"GNU.sparse.size": b"10"})


def test_random_bodies_roundtrip() -> None:
    bodies = [os.urandom(n) for n in (0, 1, 511, 512, 513, 70_000)]
    tar = make_tar([f(f"f{i}", b) for i, b in enumerate(bodies)])
    assert [e[3] for e in entries(tar, chunk=1000)] == bodies
