"""Query-string parsing with moby's rules, so bad input is a 400 that names the field.

``bool_value`` is moby's ``httputils.BoolValue``; ``parse_filters`` is
``filters.FromJSON`` (map form ``{"k":{"v":true}}`` and the legacy list form
``{"k":["v"]}``), and ``validate_filters`` rejects keys an endpoint does not know.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import msgspec
from multidict import MultiMapping

from berth import errdefs

Filters = dict[str, list[str]]
_FALSE = frozenset({"", "0", "no", "false", "none"})


def bool_value(query: Mapping[str, str], name: str, default: bool = False) -> bool:
    """False iff the value is "", 0, no, false or none (any case); default when absent."""
    if name not in query:
        return default
    return query[name].strip().lower() not in _FALSE


def int_value(query: Mapping[str, str], name: str, default: int) -> int:
    raw = query.get(name, "")
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise errdefs.InvalidArgument(f"invalid value for {name}: {raw!r} is not an integer")\
            from None


def parse_filters(raw: str | None) -> Filters:
    """Filters from their JSON query form; both map and legacy list forms."""
    if not raw:
        return {}
    try:
        doc = msgspec.json.decode(raw.encode())
    except msgspec.DecodeError as exc:
        raise errdefs.InvalidArgument(f"invalid filter: {exc}") from None
    if not isinstance(doc, dict):
        raise errdefs.InvalidArgument("invalid filter: filters must be a JSON object")
    out: Filters = {}
    for key, values in doc.items():
        out[key] = _filter_values(key, values)
    return out


def _filter_values(key: str, values: object) -> list[str]:
    if isinstance(values, dict) and all(isinstance(v, bool) for v in values.values()):
        return list(values)
    if isinstance(values, list) and all(isinstance(v, str) for v in values):
        return list(values)
    raise errdefs.InvalidArgument(
        f"invalid filter: values of {key!r} must be an object of booleans or a list of strings")


def validate_filters(filters: Filters, accepted: Iterable[str]) -> None:
    """Reject filter keys this endpoint does not understand (moby: ``invalid filter 'k'``)."""
    allowed = set(accepted)
    for key in filters:
        if key not in allowed:
            raise errdefs.InvalidArgument(f"invalid filter '{key}'")


def query_list(query: MultiMapping[str], name: str) -> list[str]:
    """All values of a repeated query parameter (``names=a&names=b``)."""
    return [v for v in query.getall(name, []) if v != ""]
