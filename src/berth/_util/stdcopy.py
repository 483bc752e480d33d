"""Docker's stdcopy framing as one sans-IO codec (moby ``api/pkg/stdcopy``).

Non-TTY attach, logs and exec streams interleave stdout and stderr on one connection;
each chunk is prefixed by an 8-byte header ``[stream, 0, 0, 0, size (uint32 BE)]``.
Streams: 0 stdin (clients treat it as stdout), 1 stdout, 2 stderr, 3 systemerr (an
in-band error from the daemon that ends the stream). The monitor frames, the API frames
and checks, the CLI demultiplexes: all with this module. It never touches a socket and
imports nothing heavy (the monitor and the CLI start fast with it).
"""

from __future__ import annotations

from berth.errdefs import BerthError

TYPE_CHECKING = False  # typing and collections.abc stay off the CLI's start-up
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import IO

STDIN, STDOUT, STDERR, SYSTEMERR = 0, 1, 2, 3
HEADER_LEN = 8
MAX_FRAME = 0xFFFFFFFF


class FramingError(BerthError):
    """A systemerr frame (its message), a bad stream id, or a truncated stream."""


def frame(stream: int, payload: bytes) -> bytes:
    """One frame; a payload larger than a uint32 is split into several."""
    if not STDIN <= stream <= SYSTEMERR:
        raise FramingError(f"invalid stdcopy stream id {stream}")
    if len(payload) <= MAX_FRAME:
        return bytes((stream, 0, 0, 0)) + len(payload).to_bytes(4, "big") + payload
    return b"".join(frame(stream, payload[i:i + MAX_FRAME])
                    for i in range(0, len(payload), MAX_FRAME))


class Decoder:
    """Feed bytes as they arrive; get ``(stream, bytes)`` pieces back as soon as payload
    bytes are in (a frame split across reads comes out in pieces, so interactive output is
    not held back). A systemerr frame is collected whole and raised as FramingError."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self._stream = -1
        self._left = 0

    @property
    def pending(self) -> bool:
        """Inside a frame (or a header): at EOF this means the stream was truncated."""
        return bool(self._buf) or self._left > 0

    def feed(self, data: bytes) -> list[tuple[int, bytes]]:
        self._buf += data
        out: list[tuple[int, bytes]] = []
        while self._buf:
            if self._left == 0 and not self._header():
                break
            if self._stream == SYSTEMERR:
                if len(self._buf) < self._left:
                    break
                raise FramingError(bytes(self._buf[:self._left]).decode("utf-8", "replace"))
            piece = bytes(self._buf[:self._left])
            del self._buf[:len(piece)]
            self._left -= len(piece)
            out.append((self._stream, piece))
        return out

    def _header(self) -> bool:
        """Take the next header off the buffer; False until a whole one is in."""
        while self._left == 0:
            if len(self._buf) < HEADER_LEN:
                return False
            self._stream = self._buf[0]
            if self._stream > SYSTEMERR:
                raise FramingError(f"Unrecognized input header: {self._stream}")
            self._left = int.from_bytes(self._buf[4:8], "big")
            del self._buf[:HEADER_LEN]
            if self._left == 0 and not self._buf:
                return False
        return True


def demux(data: bytes) -> tuple[bytes, bytes]:
    """A complete framed buffer split into (stdout, stderr); stdin counts as stdout."""
    dec = Decoder()
    out, err = bytearray(), bytearray()
    for stream, piece in dec.feed(data):
        (err if stream == STDERR else out).extend(piece)
    if dec.pending:
        raise FramingError("truncated stdcopy frame")
    return bytes(out), bytes(err)


def copy(read: Callable[[], bytes], stdout: IO[bytes], stderr: IO[bytes]) -> None:
    """Demultiplex ``read()`` into the two files until EOF (a partial frame at EOF is
    dropped, as docker's StdCopy does)."""
    dec = Decoder()
    while data := read():
        for stream, piece in dec.feed(data):
            target = stderr if stream == STDERR else stdout
            target.write(piece)
            target.flush()
