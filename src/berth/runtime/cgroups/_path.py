"""``CgPath``: the few ``pathlib.Path`` operations the cgroup drivers use, on a ``str``.

Why not pathlib: importing it (with urllib.parse, ipaddress, fnmatch, re) costs the
``berth-runtime`` CLI about 4 ms per start, and the drivers only join, walk up and test
for existence. A ``CgPath`` is a plain string (``os`` functions, f-strings and JSON take
it as is) and compares equal to a ``pathlib.Path`` naming the same path.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    StrPath = str | os.PathLike[str]


class CgPath(str):
    """An absolute or relative path, normalised (no trailing slash, no ``//``)."""

    __slots__ = ()

    def __new__(cls, path: StrPath) -> CgPath:
        raw = os.fspath(path)
        return super().__new__(cls, os.path.normpath(raw) if raw else ".")

    def __truediv__(self, other: StrPath) -> CgPath:
        name = os.fspath(other)
        if name and "/" not in name and name not in (".", ".."):  # a plain file name
            return str.__new__(CgPath, f"{self.rstrip('/')}/{name}")
        return CgPath(os.path.join(self, name))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, os.PathLike) and not isinstance(other, str):
            return str.__eq__(self, os.path.normpath(os.fspath(other)))
        return str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = str.__hash__

    def __repr__(self) -> str:
        return f"CgPath({str.__repr__(self)})"

    @property
    def parent(self) -> CgPath:
        return CgPath(os.path.dirname(self) or ".")

    @property
    def name(self) -> str:
        return os.path.basename(self)

    @property
    def parts(self) -> tuple[str, ...]:
        names = tuple(p for p in self.split("/") if p and p != ".")
        return ("/", *names) if self.startswith("/") else names

    def exists(self) -> bool:
        return os.path.exists(self)

    def is_relative_to(self, other: StrPath) -> bool:
        base = CgPath(other)
        return self == base or self.startswith(base.rstrip("/") + "/")

    def relative_to(self, other: StrPath) -> CgPath:
        if not self.is_relative_to(other):
            raise ValueError(f"{self!s} is not below {os.fspath(other)}")
        return CgPath(os.path.relpath(self, CgPath(other)))
