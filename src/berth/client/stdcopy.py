"""Docker's stdcopy framing: demultiplex stdout/stderr from one non-TTY stream.

Without a TTY the daemon multiplexes the container's stdout and stderr on one
connection (attach, logs, exec): each frame is an 8-byte header ``[stream, 0, 0, 0,
size (big-endian uint32)]`` followed by ``size`` bytes. Stream 0 is stdin (written to
stdout, as docker's StdCopy does), 1 stdout, 2 stderr, 3 an error from the daemon
(raised once the frame is complete). Frames may be split across reads at any byte.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO

from berth.errdefs import BerthError

HEADER = 8
STDIN, STDOUT, STDERR, SYSTEMERR = 0, 1, 2, 3


class StdcopyError(BerthError):
    """A systemerr frame, or a frame with an unknown stream number."""


def frame(stream: int, data: bytes) -> bytes:
    """Encode one frame (the daemon's side; used by tests and fakes)."""
    return bytes([stream, 0, 0, 0]) + len(data).to_bytes(4, "big") + data


class Demuxer:
    """Feed it bytes as they arrive; it writes each stream's payload as soon as it can."""

    def __init__(self, stdout: IO[bytes], stderr: IO[bytes]) -> None:
        self.out = {STDIN: stdout, STDOUT: stdout, STDERR: stderr}
        self.buf = bytearray()
        self.stream = -1
        self.left = 0

    def feed(self, data: bytes) -> None:
        self.buf += data
        while self.buf:
            if self.left == 0:
                if len(self.buf) < HEADER:
                    return
                self.stream = self.buf[0]
                self.left = int.from_bytes(self.buf[4:8], "big")
                del self.buf[:HEADER]
                if self.stream not in (STDIN, STDOUT, STDERR, SYSTEMERR):
                    raise StdcopyError(f"Unrecognized input header: {self.stream}")
                if self.left == 0:
                    continue
            if self.stream == SYSTEMERR:
                if len(self.buf) < self.left:
                    return  # the error message is reported whole
                msg = bytes(self.buf[: self.left]).decode("utf-8", "replace")
                raise StdcopyError(msg)
            take = bytes(self.buf[: self.left])
            del self.buf[: len(take)]
            self.left -= len(take)
            target = self.out[self.stream]
            target.write(take)
            target.flush()

    def close(self) -> None:
        """At EOF: a partial header or frame is dropped, as StdCopy does."""
        self.buf.clear()


def copy(read: Callable[[], bytes], stdout: IO[bytes], stderr: IO[bytes]) -> None:
    """Demultiplex until ``read()`` returns EOF."""
    d = Demuxer(stdout, stderr)
    while True:
        data = read()
        if not data:
            d.close()
            return
        d.feed(data)
