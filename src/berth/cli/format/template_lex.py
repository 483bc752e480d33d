"""Lexer for the Go text/template subset docker users write in ``--format``.

Splits a template into text and action tokens; handles ``{{-``/``-}}`` whitespace trims
and ``{{/* comments */}}``.  Errors carry Go's wording (``unclosed action`` …).
"""

from __future__ import annotations


class TemplateError(Exception):
    """A parse or execution error; ``str()`` is what docker prints after its prefix."""


class Token:
    """kind: text, field, var, dot, ident, string, number, char, pipe, lparen, rparen,
    assign, declare, comma, bool, nil, end_action (a plain class: no ``dataclasses``)."""

    __slots__ = ("kind", "line", "pos", "value")

    def __init__(self, kind: str, value: str, line: int, pos: int = 0) -> None:
        self.kind, self.value, self.line, self.pos = kind, value, line, pos

    def __repr__(self) -> str:
        return f"Token({self.kind!r}, {self.value!r}, {self.line}, {self.pos})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Token) and (self.kind, self.value, self.line, self.pos) == \
            (other.kind, other.value, other.line, other.pos)


# One action token, first alternative that matches wins (as the regular expression
#   \s+ | \.[A-Za-z_]\w* | \$\w* | "(?:[^"\\\n]|\\.)*" | `[^`]*` | '(?:[^'\\]|\\.)+'
#   | [-+]?(?:0[xX][0-9a-fA-F_]+|\d[\d_]*(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+)
#   | [A-Za-z_]\w* | \. | := | = | \| | \( | \) | ,
# with ASCII \w): scanned by hand because ``re`` (and the ``enum`` it imports) is ~5 ms of
# every ``berth ps``/``images`` start.
_LETTER = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_WORD = _LETTER | frozenset("0123456789")
_HEX = frozenset("0123456789abcdefABCDEF_")
_PUNCT = {":=": "declare", "=": "assign", "|": "pipe", "(": "lparen", ")": "rparen",
          ",": "comma"}


def _run(src: str, j: int, chars: frozenset[str]) -> int:
    while j < len(src) and src[j] in chars:
        j += 1
    return j


def _digits(src: str, j: int, underscore: bool = False) -> int:
    while j < len(src) and (src[j].isdecimal() or (underscore and src[j] == "_")):
        j += 1
    return j


def _quoted(src: str, j: int, quote: str, newline_ok: bool) -> int:
    """End of a ``"…"``/``'…'`` token starting at ``j``, or -1."""
    k = j + 1
    while k < len(src):
        c = src[k]
        if c == quote:
            return k + 1 if quote == '"' or k > j + 1 else -1
        if c == "\\":
            if k + 1 >= len(src) or src[k + 1] == "\n":
                return -1
            k += 2
            continue
        if c == "\n" and not newline_ok:
            return -1
        k += 1
    return -1


def _number(src: str, j: int) -> int:
    """End of a number token starting at ``j``, or -1."""
    k = j + 1 if src[j] in "+-" else j
    if src.startswith(("0x", "0X"), k) and k + 2 < len(src) and src[k + 2] in _HEX:
        return _run(src, k + 2, _HEX)
    if k < len(src) and src[k].isdecimal():
        k = _digits(src, k + 1, underscore=True)
        if k < len(src) and src[k] == ".":
            k = _digits(src, k + 1)
        if k < len(src) and src[k] in "eE":
            e = k + 1 + (k + 1 < len(src) and src[k + 1] in "+-")
            if e < len(src) and src[e].isdecimal():
                k = _digits(src, e)
        return k
    if src.startswith(".", k) and k + 1 < len(src) and src[k + 1].isdecimal():
        return _digits(src, k + 1)
    return -1


def _match(src: str, j: int) -> tuple[str, int] | None:
    """(alternative name, end) of the action token at ``j``, or None."""
    c = src[j]
    if c.isspace():
        k = j + 1
        while k < len(src) and src[k].isspace():
            k += 1
        return "space", k
    if c == "." and j + 1 < len(src) and src[j + 1] in _LETTER:
        return "field", _run(src, j + 2, _WORD)
    if c == "$":
        return "var", _run(src, j + 1, _WORD)
    if c == '"' or c == "'":
        end = _quoted(src, j, c, newline_ok=c == "'")
        if end > 0:
            return ("string" if c == '"' else "char"), end
    elif c == "`":
        end = src.find("`", j + 1)
        if end > 0:
            return "raw", end + 1
    elif c in "+-.0123456789" or c.isdecimal():
        end = _number(src, j)
        if end > 0:
            return "number", end
    if c in _LETTER:
        return "ident", _run(src, j + 1, _WORD)
    if c == ".":
        return "dot", j + 1
    if src.startswith(":=", j):
        return "declare", j + 2
    kind = _PUNCT.get(c)
    return (kind, j + 1) if kind else None


def _err(line: int, msg: str) -> TemplateError:
    return TemplateError(f"template: :{line}: {msg}")


def lex(src: str) -> list[Token]:
    """Tokenise ``src``; each action ends with an ``end_action`` token."""
    tokens: list[Token] = []
    i = 0
    while i < len(src):
        start = src.find("{{", i)
        if start < 0:
            tokens.append(Token("text", src[i:], src.count("\n", 0, i) + 1, i))
            break
        text = src[i:start]
        line = src.count("\n", 0, start) + 1
        inner = start + 2
        if src.startswith("- ", inner) or src.startswith("-\t", inner) or \
                src.startswith("-\n", inner):
            text = text.rstrip(" \t\r\n")
            inner += 1
        if text:
            tokens.append(Token("text", text, src.count("\n", 0, i) + 1, i))
        i = _lex_action(src, inner, line, tokens)
    return tokens


def _lex_action(src: str, i: int, line: int, tokens: list[Token]) -> int:
    """Lex one action starting after ``{{``; returns the index after ``}}``."""
    j = i
    while j < len(src) and src[j] in " \t\r\n":
        j += 1
    if src.startswith("/*", j):
        close = src.find("*/", j + 2)
        if close < 0:
            raise _err(line, "unclosed comment")
        return _close_action(src, close + 2, line, comment=True)
    while True:
        if j >= len(src):
            raise _err(line, "unclosed action")
        if src.startswith("}}", j):
            tokens.append(Token("end_action", "}}", line, j))
            return j + 2
        if src.startswith(" -}}", j - 1) and src[j] == "-" and src[j - 1] in " \t\r\n":
            tokens.append(Token("end_action", "}}", line, j))
            return _skip_ws(src, j + 3)
        m = _match(src, j)
        if not m:
            raise _err(line, f"unexpected {_quote_char(src[j])} in command")
        kind, end = m
        val = src[j:end]
        if kind != "space":
            tokens.append(Token(_kind(kind, val), val, line + src.count("\n", i, j), j))
        j = end


def _close_action(src: str, j: int, line: int, comment: bool) -> int:
    if src.startswith("}}", j):
        return j + 2
    if src.startswith(" -}}", j):
        return _skip_ws(src, j + 4)
    raise _err(line, "comment ends before closing delimiter" if comment else "unclosed action")


def _skip_ws(src: str, j: int) -> int:
    while j < len(src) and src[j] in " \t\r\n":
        j += 1
    return j


def _kind(group: str, val: str) -> str:
    if group == "raw":
        return "string"
    if group == "ident" and val in ("true", "false"):
        return "bool"
    if group == "ident" and val == "nil":
        return "nil"
    return group


def _quote_char(ch: str) -> str:
    return "<" + repr(ch)[1:-1] + ">" if ch == "'" else repr(ch).replace("'", '"')
