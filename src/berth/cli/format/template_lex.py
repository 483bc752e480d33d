"""Lexer for the Go text/template subset docker users write in ``--format``.

Splits a template into text and action tokens; handles ``{{-``/``-}}`` whitespace trims
and ``{{/* comments */}}``.  Errors carry Go's wording (``unclosed action`` …).
"""

from __future__ import annotations

import re


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


_ACTION_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<field>\.[A-Za-z_][A-Za-z0-9_]*)
  | (?P<var>\$[A-Za-z0-9_]*)
  | (?P<string>"(?:[^"\\\n]|\\.)*")
  | (?P<raw>`[^`]*`)
  | (?P<char>'(?:[^'\\]|\\.)+')
  | (?P<number>[-+]?(?:0[xX][0-9a-fA-F_]+|\d[\d_]*(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+))
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<dot>\.)
  | (?P<declare>:=)
  | (?P<assign>=)
  | (?P<pipe>\|)
  | (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<comma>,)
    """,
    re.VERBOSE,
)


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
        m = _ACTION_TOKEN.match(src, j)
        if not m:
            raise _err(line, f"unexpected {_quote_char(src[j])} in command")
        kind = m.lastgroup or ""
        val = m.group()
        if kind != "space":
            tokens.append(Token(_kind(kind, val), val, line + src.count("\n", i, j), j))
        j = m.end()


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
