"""Compact JSON through the C accelerator ``_json`` without importing ``json``.

Why: ``json.decoder`` and ``json.scanner`` import ``re`` (which imports ``enum``), about
5 ms of every ``berth-runtime`` start, to build regexes the C scanner does not need. The
parsing and encoding themselves are the same C code ``json`` uses. Falls back to ``json``
when the accelerator is missing. ``indent`` output (``state``, ``spec``) uses ``json``.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

try:
    import _json
except ImportError:  # pragma: no cover - CPython always builds it
    _json = None  # type: ignore[assignment]

_WS = " \t\n\r"


def _constant(name: str) -> float:
    """NaN/Infinity as Python's json accepts them."""
    return {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}[name]


class _Context:
    """What ``_json.make_scanner`` reads from a ``json.JSONDecoder``."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = staticmethod(_constant)
    memo: dict[str, str] = {}


_scan = _json.make_scanner(_Context()) if _json is not None else None  # type: ignore[arg-type]
_encode = _json.make_encoder(
    None, None, _json.encode_basestring_ascii, None, ": ", ", ", False, False,  # type: ignore[arg-type]
    True) if _json is not None else None


def loads(text: str | bytes) -> Any:
    """Parse one JSON document; ValueError (like json's) on malformed input."""
    if _scan is None:
        import json
        return json.loads(text)
    if isinstance(text, bytes | bytearray):
        text = text.decode()
    start = len(text) - len(text.lstrip(_WS))
    try:
        obj, end = _scan(text, start)
        if not text[end:].strip(_WS):
            return obj
    except (StopIteration, SystemError):
        # the C scanner builds its error from json.decoder, which it finds only if it is
        # already imported (else SystemError): malformed input is rare, let json say why
        pass
    import json
    return json.loads(text)


def dumps(obj: Any) -> str:
    """``json.dumps(obj)`` with the default separators, for dicts, lists and scalars."""
    if _encode is None:
        import json
        return json.dumps(obj)
    return "".join(_encode(obj, 0))
