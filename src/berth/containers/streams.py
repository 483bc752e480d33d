"""Stand-in streams for the API's ``StreamPair`` (``backends_containers``).

``ErrorStream`` is what an attached ``exec start`` returns when the process could not be
started: moby writes the error text to the client's stdout (stdcopy-framed without a
TTY) and closes, and the client then reads the exit code from ``/exec/{id}/json``.
"""

from __future__ import annotations

import struct


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data

    async def read(self, n: int = -1) -> bytes:
        if n < 0 or n >= len(self.data):
            out, self.data = self.data, b""
        else:
            out, self.data = self.data[:n], self.data[n:]
        return out


class _Writer:
    def write(self, data: bytes) -> None:
        pass

    async def drain(self) -> None:
        pass

    def write_eof(self) -> None:
        pass

    def close(self) -> None:
        pass


def ErrorStream(data: bytes, multiplexed: bool) -> tuple[_Reader, _Writer]:
    """A (reader, writer) pair whose reader yields ``data`` on stdout, then EOF."""
    if multiplexed:
        data = struct.pack(">BxxxI", 1, len(data)) + data
    return _Reader(data), _Writer()
