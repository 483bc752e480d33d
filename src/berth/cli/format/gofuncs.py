"""Template functions: Go's builtins plus the ones docker adds (json, join, pad, …).

Header rendering (the first row of a ``table`` format) swaps in docker's
``HEADER_FUNCS``, which return their first argument so ``{{upper .Repository}}`` still
prints ``REPOSITORY``.
"""

from __future__ import annotations

from berth.cli.format.govalues import NO_VALUE, go_json, go_str, truth
from berth.cli.format.template_lex import TemplateError

TYPE_CHECKING = False  # typing is not imported at start-up
if TYPE_CHECKING:
    import re
    from collections.abc import Callable
    from typing import Any

    Func = Callable[..., Any]


def _index(item: Any, *keys: Any) -> Any:
    for key in keys:
        if isinstance(item, dict):
            item = item.get(key, NO_VALUE)
        elif isinstance(item, list | tuple | str):
            if not isinstance(key, int) or not 0 <= key < len(item):
                raise TemplateError(f"error calling index: index out of range: {key}")
            item = item[key]
        else:
            raise TemplateError(f"error calling index: can't index item of type {type(item)}")
    return item


def _len(item: Any) -> int:
    try:
        return len(item)
    except TypeError:
        raise TemplateError(f"error calling len: len of type {type(item).__name__}") from None


def _slice(item: Any, *idx: int) -> Any:
    return item[idx[0]: idx[1]] if len(idx) > 1 else item[idx[0]:] if idx else item


def _eq(a: Any, *others: Any) -> bool:
    return any(a == b for b in others)


def _cmp(op: Callable[[Any, Any], bool]) -> Func:
    def f(a: Any, b: Any) -> bool:
        try:
            return op(a, b)
        except TypeError:
            raise TemplateError("incompatible types for comparison") from None
    return f


def _and(*args: Any) -> Any:
    for a in args:
        if not truth(a):
            return a
    return args[-1]


def _or(*args: Any) -> Any:
    for a in args:
        if truth(a):
            return a
    return args[-1]


def go_sprint(*args: Any) -> str:
    """fmt.Sprint: a space between operands when neither is a string."""
    out = ""
    for i, a in enumerate(args):
        if i and not isinstance(a, str) and not isinstance(args[i - 1], str):
            out += " "
        out += go_str(a)
    return out


def go_sprintln(*args: Any) -> str:
    return " ".join(go_str(a) for a in args) + "\n"


_VERB = r"%([-+# 0]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])"  # ``re`` is imported on first use


def go_sprintf(fmt: str, *args: Any) -> str:
    """fmt.Sprintf for the common verbs (%s %v %d %q %x %X %f %e %g %t %c %%)."""
    import re

    queue = list(args)

    def conv(m: re.Match[str]) -> str:
        flags, width, prec, verb = m.groups()
        if verb == "%":
            return "%"
        if not queue:
            return f"%!{verb}(MISSING)"
        return _pad(_verb(verb, queue.pop(0), prec), flags, width)

    out = re.sub(_VERB, conv, fmt)
    if queue:
        out += "%!(EXTRA " + ", ".join(f"{type(a).__name__}={go_str(a)}" for a in queue) + ")"
    return out


def _verb(verb: str, v: Any, prec: str | None) -> str:
    if verb in "sv":
        s = go_str(v)
        return s[: int(prec)] if prec is not None and verb == "s" else s
    if verb == "q":
        return go_json(go_str(v))
    if verb == "d" and isinstance(v, int):
        return str(v)
    if verb == "t" and isinstance(v, bool):
        return "true" if v else "false"
    if verb in "xX":
        s = format(v, "x") if isinstance(v, int) else go_str(v).encode().hex()
        return s.upper() if verb == "X" else s
    if verb == "c" and isinstance(v, int):
        return chr(v)
    if verb in "feEgG" and isinstance(v, int | float):
        return ("%" + (f".{prec}" if prec else "") + verb) % v
    return f"%!{verb}({type(v).__name__}={go_str(v)})"


def _pad(s: str, flags: str, width: str | None) -> str:
    if not width:
        return s
    w = int(width)
    if "-" in flags:
        return s.ljust(w)
    return s.rjust(w, "0" if "0" in flags else " ")


def _join(items: Any, sep: str) -> str:
    if not isinstance(items, list | tuple):
        raise TemplateError(f"error calling join: wrong type for value; expected []string; "
                            f"got {type(items).__name__}")
    return sep.join(go_str(i) for i in items)


def _title(s: str) -> str:
    import re

    return re.sub(r"(^|[^\w'])(\w)", lambda m: m.group(1) + m.group(2).upper(), s)


def _pad_space(s: str, prefix: int, suffix: int) -> str:
    return " " * prefix + s + " " * suffix if s else s


def _truncate(s: str, length: int) -> str:
    return s if len(s) < length else s[:length]


FUNCS: dict[str, Func] = {
    "and": _and, "or": _or, "not": lambda a: not truth(a), "len": _len, "index": _index,
    "slice": _slice, "eq": _eq, "ne": lambda a, b: a != b,
    "lt": _cmp(lambda a, b: a < b), "le": _cmp(lambda a, b: a <= b),
    "gt": _cmp(lambda a, b: a > b), "ge": _cmp(lambda a, b: a >= b),
    "print": go_sprint, "printf": go_sprintf, "println": go_sprintln,
    "html": lambda *a: go_sprint(*a).replace("&", "&amp;").replace("<", "&lt;")
    .replace(">", "&gt;").replace('"', "&#34;").replace("'", "&#39;"),
    "js": lambda *a: go_sprint(*a).replace("\\", "\\\\").replace("'", "\\'")
    .replace('"', '\\"'),
    "urlquery": lambda *a: _urlquery(go_sprint(*a)),
    "json": go_json,
    "split": lambda s, sep: go_str(s).split(sep) if sep else list(go_str(s)),
    "join": _join, "title": lambda s: _title(go_str(s)), "lower": lambda s: go_str(s).lower(),
    "upper": lambda s: go_str(s).upper(), "pad": _pad_space, "truncate": _truncate,
}

HEADER_FUNCS: dict[str, Func] = {
    **FUNCS,
    "json": lambda v: v, "split": lambda v, _s: v, "join": lambda v, _s: v,
    "title": lambda v: v, "lower": lambda v: v, "upper": lambda v: v,
    "truncate": lambda v, _n: v,
}


def _urlquery(text: str) -> str:
    from urllib.parse import quote_plus  # rare: not imported at start-up

    return quote_plus(text)
