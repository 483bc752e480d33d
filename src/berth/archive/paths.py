"""Entry names: turn a tar member name into a clean path relative to the layer root.

Absolute names are taken relative to the root (as docker and containerd do). A ``..``
that would climb above the root is refused rather than clamped, so a hostile archive
gets a clear error naming the entry instead of silently landing somewhere else.
"""

from __future__ import annotations

from berth.errdefs import InvalidArgument


def clean_name(name: str) -> str:
    """``/a/./b/../c/`` → ``a/c``; ``""`` is the root itself. Raises on climbing out."""
    parts: list[str] = []
    for part in name.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                raise InvalidArgument(f"tar entry {name!r}: path climbs out of the layer root")
            parts.pop()
            continue
        parts.append(part)
    if "\x00" in name:
        raise InvalidArgument(f"tar entry {name!r}: NUL byte in path")
    return "/".join(parts)


def split(rel: str) -> tuple[str, str]:
    """``a/b/c`` → (``a/b``, ``c``); ``c`` → (``""``, ``c``)."""
    head, _, tail = rel.rpartition("/")
    return head, tail


def ancestors(rel: str) -> list[str]:
    """Proper ancestors of a clean relative path, nearest last: ``a/b/c`` → [a, a/b]."""
    parts = rel.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts))]
