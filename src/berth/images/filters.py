"""``/images/json`` and ``/images/prune`` filters, with moby's names and errors.

Filters arrive as ``{"name": ["value", …]}`` (the API layer decodes both the map-of-bools
and the list forms). Unknown names → ``invalid filter 'x'``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from berth.errdefs import InvalidArgument
from berth.images.timefmt import filter_timestamp

LIST_FILTERS = frozenset({"dangling", "label", "before", "since", "reference", "until"})
PRUNE_FILTERS = frozenset({"dangling", "label", "label!", "until"})

Filters = dict[str, list[str]]


def validate(filters: Filters | None, allowed: Iterable[str]) -> Filters:
    f = {k: list(v) for k, v in (filters or {}).items()}
    allowed = set(allowed)
    for name in f:
        if name not in allowed:
            raise InvalidArgument(f"invalid filter '{name}'")
    return f


def dangling(f: Filters, default: bool | None = None) -> bool | None:
    """The ``dangling`` filter as a bool (None when absent); moby accepts true/false/1/0."""
    values = f.get("dangling")
    if not values:
        return default
    out = set()
    for v in values:
        low = v.lower()
        if low in ("true", "1"):
            out.add(True)
        elif low in ("false", "0"):
            out.add(False)
        else:
            raise InvalidArgument(f"invalid filter 'dangling={v}'")
    if len(out) > 1:
        raise InvalidArgument("invalid filter 'dangling': conflicting values")
    return out.pop()


def label_match(labels: dict[str, str], specs: list[str]) -> bool:
    """Every ``k`` / ``k=v`` spec holds (moby's MatchKVList)."""
    for spec in specs:
        key, sep, value = spec.partition("=")
        if key not in labels or (sep and labels[key] != value):
            return False
    return True


def label_excluded(labels: dict[str, str], specs: list[str]) -> bool:
    """``label!=k`` / ``label!=k=v``: true if any negated spec matches (prune only)."""
    return any(label_match(labels, [s]) for s in specs)


def glob_regex(pattern: str) -> re.Pattern[str]:
    """Go's ``path.Match``: ``*`` and ``?`` never match ``/``; ``[…]`` classes."""
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            end = pattern.find("]", i + 1)
            if end < 0:
                raise InvalidArgument(f"invalid reference filter {pattern!r}: syntax error")
            body = pattern[i + 1:end]
            body = "^" + body[1:] if body.startswith("^") else body
            out.append(f"[{body}]")
            i = end
        elif c == "\\" and i + 1 < len(pattern):
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("^" + "".join(out) + "$")


def reference_matcher(patterns: list[str]) -> Callable[[str, str], bool]:
    """Match a ref against ``reference=`` patterns on its familiar string, then its name."""
    regexes = [glob_regex(p) for p in patterns]

    def match(familiar_full: str, familiar_name: str) -> bool:
        return any(r.match(familiar_full) or r.match(familiar_name) for r in regexes)
    return match


def until(f: Filters, key: str = "until") -> float | None:
    values = f.get(key)
    if not values:
        return None
    if len(values) > 1:
        raise InvalidArgument(f"invalid filter '{key}': more than one value")
    return filter_timestamp(values[0])
