"""Cutting a byte stream into log messages the way docker's copier does (sans-IO).

A message ends at ``\\n`` (kept); a line longer than 16 KiB is emitted in 16 KiB
partial pieces, and what is left when the stream closes is emitted as a partial message.
"""

from __future__ import annotations

MAX_MESSAGE = 16 * 1024


class LineSplitter:
    """Per-stream buffer: ``feed`` returns complete (or over-long) messages."""

    def __init__(self, limit: int = MAX_MESSAGE) -> None:
        self.limit = limit
        self.buf = bytearray()

    def feed(self, data: bytes) -> list[tuple[bytes, bool]]:
        """Messages as (bytes, partial) in order."""
        self.buf += data
        out: list[tuple[bytes, bool]] = []
        start = 0
        while True:
            nl = self.buf.find(b"\n", start, start + self.limit)
            if nl >= 0:
                out.append((bytes(self.buf[start:nl + 1]), False))
                start = nl + 1
            elif len(self.buf) - start >= self.limit:
                out.append((bytes(self.buf[start:start + self.limit]), True))
                start += self.limit
            else:
                break
        del self.buf[:start]
        return out

    def flush(self) -> list[tuple[bytes, bool]]:
        """At end of stream: what is left, as one partial message."""
        if not self.buf:
            return []
        data = bytes(self.buf)
        self.buf.clear()
        return [(data, True)]
