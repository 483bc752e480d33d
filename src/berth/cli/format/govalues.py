"""Printing values the way Go's fmt and encoding/json do, for template output.

Templates see JSON-decoded data (dict/list/str/int/float/bool/None) and docker's
"context" objects (attributes computed per row).  Go prints a nil interface as
``<nil>``, a missing map key as ``<no value>``, maps as ``map[k:v]`` with sorted keys and
slices as ``[a b]``.
"""

from __future__ import annotations

import math

from berth._util.fastjson import dumps_compact

TYPE_CHECKING = False  # typing and json stay off the CLI's start-up
if TYPE_CHECKING:
    from typing import Any


class NoValue:
    """A missing map key: prints ``<no value>``, is false, is nil for json."""

    def __bool__(self) -> bool:
        return False

    def __str__(self) -> str:
        return "<no value>"


NO_VALUE = NoValue()


class Context:
    """Base of per-row objects: public attributes and zero-arg methods are template fields.

    ``json_fields`` lists what ``{{json .}}`` marshals (docker marshals every method).
    """

    json_fields: tuple[str, ...] = ()
    type_name = "struct"

    def to_json(self) -> dict[str, Any]:
        out = {}
        for name in sorted(self.json_fields):
            val = getattr(self, name)
            out[name] = val() if callable(val) else val
        return out


def go_str(v: Any) -> str:
    """fmt.Sprint of one value."""
    if v is None:
        return "<nil>"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return v
    if isinstance(v, float):
        return go_float(v)
    if isinstance(v, dict):
        return "map[" + " ".join(f"{go_str(k)}:{go_str(v[k])}" for k in sorted(v)) + "]"
    if isinstance(v, list | tuple):
        return "[" + " ".join(go_str(x) for x in v) + "]"
    if isinstance(v, Context):
        return "{" + " ".join(go_str(x) for x in v.to_json().values()) + "}"
    return str(v)


def go_float(f: float) -> str:
    """%v of a float64: strconv 'g' shortest; exponent form when exp < -4 or >= 6."""
    if math.isinf(f):
        return "+Inf" if f > 0 else "-Inf"
    if math.isnan(f):
        return "NaN"
    if f == 0:
        return "0"
    from decimal import Decimal  # only for floats: ~3 ms to import

    sign, digits, exponent = Decimal(repr(f)).normalize().as_tuple()
    assert isinstance(exponent, int)
    nd = len(digits)
    exp = nd + exponent - 1
    neg = "-" if sign else ""
    ds = "".join(map(str, digits))
    if exp < -4 or exp >= 6:
        mant = ds[0] + ("." + ds[1:] if nd > 1 else "")
        return f"{neg}{mant}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    return neg + format(Decimal(ds).scaleb(exponent), "f")


def go_json(v: Any, escape_html: bool = False) -> str:
    """encoding/json Marshal (compact); contexts marshal as sorted maps, HTML-escaped."""
    if isinstance(v, Context):
        return go_json(v.to_json(), escape_html=True)
    if isinstance(v, NoValue):
        v = None
    text = dumps_compact(v, default=_default)
    if escape_html:
        text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _default(o: Any) -> Any:
    if isinstance(o, Context):
        return o.to_json()
    if isinstance(o, NoValue):
        return None
    raise TypeError(f"cannot marshal {type(o).__name__}")


def truth(v: Any) -> bool:
    """Go template truth: zero values and empty containers are false."""
    if isinstance(v, Context):
        return True
    return bool(v)


def go_type(v: Any) -> str:
    """A Go-ish type name for error messages."""
    if v is None:
        return "interface {}"
    if isinstance(v, Context):
        return v.type_name
    return {dict: "map[string]interface {}", list: "[]interface {}", str: "string",
            bool: "bool", int: "int", float: "float64"}.get(type(v), type(v).__name__)
