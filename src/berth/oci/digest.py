"""Content digests (``algorithm:hex``), as in the OCI image spec's descriptor section.

Only sha256 and sha512 are accepted; the hex part is validated on parse so that a digest
can be used as a path component without further checks.
"""

from __future__ import annotations

import hashlib
import re
from typing import BinaryIO

from berth.errdefs import InvalidArgument

_HEX_LEN = {"sha256": 64, "sha512": 128}
_HEX = re.compile(r"^[a-f0-9]+$")


class Digest(str):
    """A validated ``algorithm:encoded`` string; it *is* a str, so it serialises as one."""

    __slots__ = ()

    def __new__(cls, value: str) -> Digest:
        algo, sep, hexpart = value.partition(":")
        if not sep or algo not in _HEX_LEN:
            raise InvalidArgument(f"invalid digest {value!r}: unsupported or missing algorithm")
        if len(hexpart) != _HEX_LEN[algo] or not _HEX.match(hexpart):
            raise InvalidArgument(f"invalid digest {value!r}: bad {algo} hex")
        return super().__new__(cls, value)

    @property
    def algorithm(self) -> str:
        return self.partition(":")[0]

    @property
    def encoded(self) -> str:
        return self.partition(":")[2]

    def short(self, n: int = 12) -> str:
        """The first ``n`` hex characters, as docker shows IDs."""
        return self.encoded[:n]

    def hasher(self) -> hashlib._Hash:
        return hashlib.new(self.algorithm)

    @classmethod
    def from_bytes(cls, data: bytes, algorithm: str = "sha256") -> Digest:
        return cls(f"{algorithm}:{hashlib.new(algorithm, data).hexdigest()}")

    @classmethod
    def from_hasher(cls, h: hashlib._Hash) -> Digest:
        return cls(f"{h.name}:{h.hexdigest()}")

    @classmethod
    def from_stream(cls, f: BinaryIO, algorithm: str = "sha256") -> Digest:
        h = hashlib.new(algorithm)
        while chunk := f.read(1 << 20):
            h.update(chunk)
        return cls.from_hasher(h)

    @classmethod
    def is_valid(cls, value: str) -> bool:
        try:
            cls(value)
        except InvalidArgument:
            return False
        return True


def sha256(data: bytes) -> Digest:
    """Shorthand for the one algorithm everything defaults to."""
    return Digest.from_bytes(data)
