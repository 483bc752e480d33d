"""``GET /volumes`` and ``POST /volumes/prune`` filters with moby's semantics.

List: ``dangling`` (bool), ``driver`` (exact), ``name`` (regular expression, as
``filters.Match``), ``label`` (``key`` or ``key=value``; all must match). Prune: ``label``,
``label!`` and ``all``; without ``all=true`` only anonymous volumes are candidates (API ≥
1.42, moby's ``withPrune``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from berth.errdefs import InvalidArgument

from .names import ANONYMOUS_LABEL

Filters = dict[str, list[str]]
LIST_FILTERS = ("dangling", "name", "driver", "label")
PRUNE_FILTERS = ("label", "label!", "all")
_TRUE = ("1", "t", "T", "TRUE", "true", "True")
_FALSE = ("0", "f", "F", "FALSE", "false", "False")


def check_keys(filters: Filters, accepted: Iterable[str]) -> None:
    allowed = set(accepted)
    for key in filters:
        if key not in allowed:
            raise InvalidArgument(f"invalid filter '{key}'")


def bool_filter(filters: Filters, key: str) -> bool | None:
    """Go's GetBoolOrDefault: one strconv.ParseBool value, or None when absent."""
    values = filters.get(key)
    if not values:
        return None
    if len(values) > 1 or values[0] not in _TRUE + _FALSE:
        raise InvalidArgument(f"invalid filter '{key}={','.join(values)}'")
    return values[0] in _TRUE


def match_kv(values: list[str] | None, labels: dict[str, str] | None) -> bool:
    """filters.MatchKVList: every ``key[=value]`` is present in ``labels``."""
    if not values:
        return True
    if not labels:
        return False
    for v in values:
        key, eq, want = v.partition("=")
        if key not in labels or (eq and labels[key] != want):
            return False
    return True


def match_name(patterns: list[str], name: str) -> bool:
    for p in patterns:
        try:
            if re.search(p, name):
                return True
        except re.error:
            continue
    return False


def match_labels(filters: Filters, labels: dict[str, str] | None) -> bool:
    if not match_kv(filters.get("label"), labels):
        return False
    return not (filters.get("label!") and match_kv(filters["label!"], labels))


def prune_filters(filters: Filters) -> Filters:
    """moby's withPrune then key check: ``all`` decides whether named volumes count."""
    out = {k: list(v) for k, v in filters.items()}
    all_values = out.pop("all", [])
    if len(all_values) > 1:
        raise InvalidArgument(f"invalid filter 'all=[{' '.join(all_values)}]': only one "
                              "value is expected")
    everything = False
    if all_values:
        v = all_values[0]
        if v not in _TRUE + _FALSE:
            raise InvalidArgument(f"invalid filter 'all': strconv.ParseBool: parsing "
                                  f'"{v}": invalid syntax')
        everything = v in _TRUE
    check_keys(out, PRUNE_FILTERS)
    if not everything:
        out.setdefault("label", []).append(ANONYMOUS_LABEL)
    return out
