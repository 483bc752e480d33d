"""Parser: tokens → a small tree of text, actions, if/range/with blocks and pipelines.

Grammar (Go's text/template, minus define/template/block):
``pipeline := [decl] command ('|' command)*``; ``command := operand+``;
``operand := .F.G | $v.F | . | ident | literal | '(' pipeline ')' .F``.
"""

from __future__ import annotations

from berth.cli.format.template_lex import TemplateError, Token, lex


class Operand:
    """One operand of a command (plain classes, not dataclasses: importing ``dataclasses``
    costs the CLI ~10 ms, mostly ``inspect``)."""

    __slots__ = ("fields", "kind", "line", "pos", "text", "value")

    def __init__(self, kind: str, value: object = None, fields: list[str] | None = None,
                 pos: int = 0, line: int = 1, text: str = "") -> None:
        self.kind = kind  # field, var, dot, ident, string, number, bool, nil, pipe
        self.value, self.fields = value, fields if fields is not None else []
        self.pos, self.line, self.text = pos, line, text


class Command:
    __slots__ = ("args",)

    def __init__(self, args: list[Operand]) -> None:
        self.args = args


class Pipeline:
    __slots__ = ("assign", "cmds", "decls")

    def __init__(self, cmds: list[Command], decls: list[str] | None = None,
                 assign: bool = False) -> None:
        self.cmds, self.decls, self.assign = cmds, decls if decls is not None else [], assign


class Block:
    __slots__ = ("body", "else_body", "kind", "pipe")

    def __init__(self, kind: str, pipe: Pipeline | None = None, body: list[Node] | None = None,
                 else_body: list[Node] | None = None) -> None:
        self.kind, self.pipe = kind, pipe  # kind: action, if, range, with
        self.body = body if body is not None else []
        self.else_body = else_body if else_body is not None else []


Node = str | Block


class _Parser:
    def __init__(self, tokens: list[Token], funcs: set[str]) -> None:
        self.toks = tokens
        self.i = 0
        self.funcs = funcs

    def peek(self) -> Token | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def next(self) -> Token:
        tok = self.peek()
        if tok is None:
            line = self.toks[-1].line if self.toks else 1
            raise TemplateError(f"template: :{line}: unexpected EOF")
        self.i += 1
        return tok

    def parse_list(self, stops: tuple[str, ...]) -> tuple[list[Node], str]:
        """Parse nodes until one of the ``stops`` keywords; returns (nodes, stop)."""
        nodes: list[Node] = []
        while (tok := self.peek()) is not None:
            if tok.kind == "text":
                self.i += 1
                nodes.append(tok.value)
                continue
            kw = tok.value if tok.kind == "ident" else ""
            if kw in ("end", "else"):
                if kw not in stops:
                    raise TemplateError(f"template: :{tok.line}: unexpected {{{{{kw}}}}}")
                self.i += 1
                return nodes, kw
            nodes.append(self.parse_action())
        if stops:
            line = self.toks[-1].line if self.toks else 1
            raise TemplateError(f"template: :{line}: unexpected EOF")
        return nodes, ""

    def parse_action(self) -> Block:
        tok = self.peek()
        assert tok is not None
        if tok.kind == "ident" and tok.value in ("if", "range", "with"):
            self.i += 1
            return self.parse_block(tok.value)
        if tok.kind == "ident" and tok.value in ("define", "template", "block", "break",
                                                  "continue"):
            raise TemplateError(f"template: :{tok.line}: {tok.value} is not supported by berth")
        return Block("action", self.parse_pipeline(tok.line))

    def parse_block(self, kind: str) -> Block:
        block = Block(kind, self.parse_pipeline(self.toks[self.i - 1].line, decl_ok=True))
        block.body, stop = self.parse_list(("end", "else"))
        if stop == "end":
            self.expect_end()
            return block
        tok = self.peek()
        if tok is not None and tok.kind == "ident" and tok.value in ("if", "with") \
                and tok.value == kind:
            self.i += 1  # {{else if …}} / {{else with …}}: a nested block that owns {{end}}
            block.else_body = [self.parse_block(kind)]
            return block
        self.expect_end()
        block.else_body, _ = self.parse_list(("end",))
        self.expect_end()
        return block

    def expect_end(self) -> None:
        tok = self.next()
        if tok.kind != "end_action":
            raise TemplateError(f"template: :{tok.line}: unexpected {tok.value!r} in end")

    def parse_pipeline(self, line: int, decl_ok: bool = True) -> Pipeline:
        pipe = Pipeline([])
        self.parse_decls(pipe)
        cmd: list[Operand] = []
        while True:
            tok = self.next()
            if tok.kind in ("end_action", "rparen"):
                if tok.kind == "rparen" and not getattr(self, "_depth", 0):
                    raise TemplateError(f"template: :{tok.line}: unexpected right paren")
                self.i -= 1 if tok.kind == "rparen" else 0
                break
            if tok.kind == "pipe":
                if not cmd:
                    raise TemplateError(f"template: :{tok.line}: missing command")
                pipe.cmds.append(Command(cmd))
                cmd = []
                continue
            cmd.append(self.parse_operand(tok))
        if cmd:
            pipe.cmds.append(Command(cmd))
        elif pipe.cmds:
            raise TemplateError(f"template: :{line}: missing command")
        if not pipe.cmds:
            raise TemplateError(f"template: :{line}: missing value for command")
        return pipe

    def parse_decls(self, pipe: Pipeline) -> None:
        """``$x :=`` / ``$i, $e :=`` / ``$x =`` at the start of a pipeline."""
        save = self.i
        names = []
        while (tok := self.peek()) is not None and tok.kind == "var":
            names.append(tok.value)
            self.i += 1
            nxt = self.peek()
            if nxt is not None and nxt.kind == "comma" and len(names) == 1:
                self.i += 1
                continue
            if nxt is not None and nxt.kind in ("declare", "assign"):
                self.i += 1
                pipe.decls = names
                pipe.assign = nxt.kind == "assign"
                return
            break
        self.i = save

    def parse_operand(self, tok: Token) -> Operand:
        op = Operand(tok.kind, tok.value, pos=tok.pos, line=tok.line, text=tok.value)
        if tok.kind == "field":
            op.fields = [tok.value[1:]]
            op.value = None
        elif tok.kind == "var":
            op.value = tok.value
        elif tok.kind == "ident":
            if tok.value not in self.funcs:
                raise TemplateError(
                    f"template: :{tok.line}: function {tok.value!r} not defined".replace(
                        "'", '"'))
        elif tok.kind == "string":
            op.value = _unquote(tok.value)
        elif tok.kind == "number":
            op.value = _number(tok.value, tok.line)
        elif tok.kind == "char":
            op.kind, op.value = "number", ord(_unquote('"' + tok.value[1:-1] + '"'))
        elif tok.kind == "bool":
            op.value = tok.value == "true"
        elif tok.kind == "lparen":
            self._depth = getattr(self, "_depth", 0) + 1
            op = Operand("pipe", self.parse_pipeline(tok.line), pos=tok.pos, line=tok.line,
                         text="(")
            self._depth -= 1
            if self.next().kind != "rparen":
                raise TemplateError(f"template: :{tok.line}: unclosed left paren")
        elif tok.kind not in ("dot", "nil"):
            raise TemplateError(f"template: :{tok.line}: unexpected {tok.value!r} in operand")
        self.parse_chain(op)
        return op

    def parse_chain(self, op: Operand) -> None:
        """Trailing ``.Field`` tokens written with no space (``$x.A.B``, ``(…).C``)."""
        while (tok := self.peek()) is not None and tok.kind == "field" and \
                self.toks[self.i - 1].pos + len(self.toks[self.i - 1].value) == tok.pos:
            if op.kind in ("string", "number", "bool", "nil", "ident"):
                break
            op.fields.append(tok.value[1:])
            op.text += tok.value
            self.i += 1


def _unquote(s: str) -> str:
    if s.startswith("`"):
        return s[1:-1]
    import ast

    return str(ast.literal_eval(s))


def _number(s: str, line: int) -> int | float:
    try:
        return int(s.replace("_", ""), 0)
    except ValueError:
        try:
            return float(s.replace("_", ""))
        except ValueError:
            raise TemplateError(f"template: :{line}: bad number syntax: {s!r}") from None


def parse(src: str, funcs: set[str]) -> list[Node]:
    """Parse a template; raises TemplateError with Go's wording."""
    nodes, _ = _Parser(lex(src), funcs).parse_list(())
    return nodes
