"""A blob reader that checks the digest when read to the end (DataLoss on mismatch)."""

from __future__ import annotations

import io
import os
from typing import BinaryIO, cast

from berth.errdefs import DataLoss
from berth.oci.digest import Digest


class _VerifyingRaw(io.RawIOBase):
    """Hashes bytes as they are read in order; a seek other than rewind stops checking."""

    def __init__(self, fd: int, digest: Digest) -> None:
        self._fd = fd
        self._digest = digest
        self._hasher = digest.hasher()
        self._pos = 0
        self._verifying = True
        self._checked = False

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buf: memoryview) -> int:  # type: ignore[override]
        n = os.readv(self._fd, [buf])
        if n and self._verifying:
            self._hasher.update(buf[:n])
        self._pos += n
        if n == 0 and self._verifying and not self._checked:
            self._check()
        return n

    def _check(self) -> None:
        self._checked = True
        got = Digest.from_hasher(self._hasher)
        if got != self._digest:
            raise DataLoss(f"blob {self._digest}: content digest is {got}")

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        pos = os.lseek(self._fd, offset, whence)
        if pos != self._pos:
            self._verifying = pos == 0
            self._checked = False
            self._hasher = self._digest.hasher()
        self._pos = pos
        return pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        if not self.closed:
            os.close(self._fd)
        super().close()


def open_verified(fd: int, digest: Digest) -> BinaryIO:
    """Wrap an open blob descriptor in a buffered, verifying reader."""
    return cast(BinaryIO, io.BufferedReader(_VerifyingRaw(fd, digest), buffer_size=1 << 20))
