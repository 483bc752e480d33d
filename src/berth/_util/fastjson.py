"""JSON through ``_json`` (the stdlib's C accelerator) without importing ``json``.

Why: ``import json`` compiles regular expressions at import (``json.decoder``,
``json.scanner``), which pulls ``re`` and ``enum`` in: ~5 ms of every ``berth`` and
``berth-runtime`` start, on paths that should cost what docker's Go CLI and runc do.
``json.loads``/``json.dumps`` run these same C functions, so the results are identical;
anything unusual (a BOM or UTF-16/32 input, a syntax error, trailing data) is handed to
``json`` itself, so errors keep json's types and messages. ``indent`` output stays with
``json``.
"""

from __future__ import annotations

import _json

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_WS = " \t\n\r"


class _Context:
    """The attributes ``_json.make_scanner`` reads from a ``json.JSONDecoder``."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = {"-Infinity": float("-inf"), "Infinity": float("inf"),
                      "NaN": float("nan")}.__getitem__
    memo: dict[str, str] = {}


_scan = _json.make_scanner(_Context())  # type: ignore[arg-type]  # typeshed wants a scanner
_encode = _json.make_encoder(
    None, None, _json.encode_basestring_ascii, None, ": ", ", ", False, False,  # type: ignore[arg-type]
    True)


def loads(data: bytes | bytearray | str) -> Any:
    """``json.loads(data)``."""
    if isinstance(data, bytes | bytearray):
        if data[:1] in (b"\xef", b"\xfe", b"\xff") or b"\x00" in data[:4]:
            return _json_loads(data)  # a BOM or UTF-16/32: json detects the encoding
        text = data.decode("utf-8", "surrogatepass")
    else:
        text = data
    start = len(text) - len(text.lstrip(_WS))
    try:
        value, end = _scan(text, start)
    except (StopIteration, SystemError):
        # the C scanner builds its error from json.decoder, which it finds only if it is
        # already imported (else SystemError): malformed input is rare, let json say why
        return _json_loads(data)
    if text[end:].strip(_WS):
        return _json_loads(data)
    return value


def first_value(data: bytes) -> Any:
    """The object or array at the start of ``data`` once it is complete, else None (more
    bytes needed, or not one): a stream's first answer without waiting for its end."""
    try:
        text = data.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return None  # a character split across reads
    start = len(text) - len(text.lstrip(_WS))
    if text[start:start + 1] not in ("{", "["):
        return None
    try:
        return _scan(text, start)[0]
    except (StopIteration, ValueError, SystemError):
        return None


def _json_loads(data: bytes | bytearray | str) -> Any:
    import json

    return json.loads(data)


def dumps(obj: Any) -> str:
    """``json.dumps(obj)`` (default separators, ASCII) for dicts, lists and scalars."""
    return "".join(_encode(obj, 0))


def _default(value: Any) -> Any:
    raise TypeError(f"Object of type {value.__class__.__name__} is not JSON serializable")


def dumps_compact(value: Any, ensure_ascii: bool = False, default: Any = None) -> str:
    """``json.dumps(value, separators=(",", ":"), ensure_ascii=…, default=…)``."""
    string = _json.encode_basestring_ascii if ensure_ascii else _json.encode_basestring
    if isinstance(value, str):
        return str(string(value))
    encode = _json.make_encoder({}, default or _default, string, None, ":", ",", False,
                                False, True)
    return "".join(encode(value, 0))
