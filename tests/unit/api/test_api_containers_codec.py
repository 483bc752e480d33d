"""The sans-IO pieces: stdcopy framing and the detach-key filter."""

from __future__ import annotations

import pytest

from berth import errdefs
from berth._util import stdcopy
from berth.api import detachkeys


def test_frame_header() -> None:
    assert stdcopy.frame(1, b"hi\n") == b"\x01\x00\x00\x00\x00\x00\x00\x03hi\n"
    assert stdcopy.frame(2, b"") == b"\x02" + b"\x00" * 7
    with pytest.raises(stdcopy.FramingError):
        stdcopy.frame(7, b"x")


def test_decoder_byte_by_byte() -> None:
    data = stdcopy.frame(1, b"hello") + stdcopy.frame(2, b"oops") + stdcopy.frame(0, b"in")
    dec = stdcopy.Decoder()
    merged: list[tuple[int, bytes]] = []
    for i in range(len(data)):
        for stream, piece in dec.feed(data[i:i + 1]):
            if merged and merged[-1][0] == stream:
                merged[-1] = (stream, merged[-1][1] + piece)
            else:
                merged.append((stream, piece))
    assert merged == [(1, b"hello"), (2, b"oops"), (0, b"in")]
    assert not dec.pending


def test_decoder_rejects_bad_stream_and_reports_partial() -> None:
    dec = stdcopy.Decoder()
    assert dec.feed(stdcopy.frame(1, b"abc")[:5]) == []
    assert dec.pending
    with pytest.raises(stdcopy.FramingError):
        stdcopy.Decoder().feed(b"\x09\x00\x00\x00\x00\x00\x00\x00")


def test_demux() -> None:
    out, err = stdcopy.demux(stdcopy.frame(1, b"a") + stdcopy.frame(2, b"b") +
                             stdcopy.frame(1, b"c"))
    assert (out, err) == (b"ac", b"b")
    with pytest.raises(stdcopy.FramingError, match="boom"):
        stdcopy.demux(stdcopy.frame(3, b"boom"))
    with pytest.raises(stdcopy.FramingError, match="truncated"):
        stdcopy.demux(stdcopy.frame(1, b"abc")[:-1])


def test_parse_detach_keys() -> None:
    assert detachkeys.parse("ctrl-p,ctrl-q") == b"\x10\x11"
    assert detachkeys.parse("a,ctrl-@,ctrl-_") == b"a\x00\x1f"
    with pytest.raises(errdefs.InvalidArgument, match="Invalid detach keys"):
        detachkeys.parse("ctrl-pp")
    with pytest.raises(errdefs.InvalidArgument):
        detachkeys.parse("")


@pytest.mark.parametrize(("chunks", "forwarded", "detached"), [
    ([b"abc"], b"abc", False),
    ([b"ab\x10\x11cd"], b"ab", True),
    ([b"ab\x10", b"\x11"], b"ab", True),
    ([b"\x10x"], b"\x10x", False),
    ([b"\x10\x10\x11"], b"\x10", True),
    ([b"\x10", b"y"], b"\x10y", False),
])
def test_detach_filter(chunks: list[bytes], forwarded: bytes, detached: bool) -> None:
    f = detachkeys.DetachFilter(b"\x10\x11")
    out = b"".join(f.feed(c) for c in chunks)
    assert out == forwarded
    assert f.detached is detached
