"""Docker's stdcopy framing as a sans-IO codec (moby ``api/pkg/stdcopy``).

Non-TTY attach, logs and exec streams interleave stdout and stderr on one connection;
each chunk is prefixed by an 8-byte header ``[stream, 0, 0, 0, size (uint32 BE)]``.
Stream ids: 0 stdin (clients treat it as stdout), 1 stdout, 2 stderr, 3 systemerr (an
in-band error message that ends the stream). The codec never touches a socket, so the
routes, the tests and any client can share it.
"""

from __future__ import annotations

import enum
import struct

HEADER = struct.Struct(">BxxxL")
HEADER_LEN = HEADER.size
MAX_FRAME = 0xFFFFFFFF


class Stream(enum.IntEnum):
    STDIN = 0
    STDOUT = 1
    STDERR = 2
    SYSTEMERR = 3


class FramingError(ValueError):
    """The byte stream is not stdcopy-framed (bad stream id)."""


def frame(stream: int, payload: bytes) -> bytes:
    """One frame; a payload larger than a uint32 is split into several."""
    if stream not in Stream.__members__.values():
        raise FramingError(f"invalid stdcopy stream id {stream}")
    if len(payload) <= MAX_FRAME:
        return HEADER.pack(stream, len(payload)) + payload
    return b"".join(frame(stream, payload[i:i + MAX_FRAME])
                    for i in range(0, len(payload), MAX_FRAME))


class Decoder:
    """Feed bytes as they arrive; get back complete ``(stream, payload)`` frames.

    Partial headers and payloads are kept until the rest arrives, so the caller can feed
    whatever a socket read returned. ``pending`` tells whether a frame is half-read
    (useful to detect a truncated stream at EOF).
    """

    def __init__(self) -> None:
        self._buf = bytearray()

    @property
    def pending(self) -> bool:
        return bool(self._buf)

    def feed(self, data: bytes) -> list[tuple[int, bytes]]:
        self._buf += data
        out: list[tuple[int, bytes]] = []
        while len(self._buf) >= HEADER_LEN:
            stream, size = HEADER.unpack_from(self._buf)
            if stream > Stream.SYSTEMERR:
                raise FramingError(f"invalid stdcopy stream id {stream}")
            end = HEADER_LEN + size
            if len(self._buf) < end:
                break
            out.append((stream, bytes(self._buf[HEADER_LEN:end])))
            del self._buf[:end]
        return out


def demux(data: bytes) -> tuple[bytes, bytes]:
    """All of a complete framed buffer split into (stdout, stderr); stdin counts as
    stdout, systemerr raises."""
    dec = Decoder()
    out, err = bytearray(), bytearray()
    for stream, payload in dec.feed(data):
        if stream == Stream.SYSTEMERR:
            raise FramingError(f"error from daemon in stream: {payload.decode(errors='replace')}")
        (err if stream == Stream.STDERR else out).extend(payload)
    if dec.pending:
        raise FramingError("truncated stdcopy frame")
    return bytes(out), bytes(err)
