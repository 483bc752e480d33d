"""berth's ``local`` log format: length-framed binary records (docker's is protobuf).

One record::

    u32 be  length N of the body
    body    u8 stream (1 stdout, 2 stderr) | u8 flags (1 = partial) | u64 be time_ns | message
    u32 be  N again (so a reader can walk backwards from the end for ``tail``)

The message is stored raw (no escaping, no newline added), so it round-trips exactly.
"""

from __future__ import annotations

import struct

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

_HEAD = struct.Struct(">IBBQ")
_TAIL = struct.Struct(">I")
STREAMS = {"stdout": 1, "stderr": 2}
NAMES = {1: "stdout", 2: "stderr"}


def decode_all(buf: bytes) -> Iterator[tuple[int, tuple[str, bytes, int, bool]]]:
    """(end offset, record) for each whole record in ``buf``; stops at a torn one."""
    pos = 0
    while pos + _HEAD.size <= len(buf):
        n, stream, flags, ns = _HEAD.unpack_from(buf, pos)
        end = pos + 4 + n + 4
        if n < 10 or end > len(buf) or _TAIL.unpack_from(buf, end - 4)[0] != n:
            return
        yield end, (NAMES.get(stream, "stdout"), bytes(buf[pos + 14:end - 4]), ns,
                    bool(flags & 1))
        pos = end
