"""Execute parsed Go-style templates against JSON data and docker's row contexts.

``Template(src).execute(data)`` returns the rendered text or raises TemplateError with
Go's wording (``template: :1:2: executing "" at <.Foo>: …``).  ``missingkey_error``
mirrors Go's ``missingkey=error`` option (docker's inspect fallback uses it).
"""

from __future__ import annotations

from berth.cli.format.gofuncs import FUNCS
from berth.cli.format.govalues import NO_VALUE, Context, NoValue, go_str, go_type, truth
from berth.cli.format.template_lex import TemplateError
from berth.cli.format.template_parse import Block, Command, Node, Operand, Pipeline, parse

TYPE_CHECKING = False  # typing is not imported at start-up
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from berth.cli.format.gofuncs import Func

__all__ = ["Template", "TemplateError"]


class _Fail(Exception):
    """An execution error at an operand; turned into TemplateError with position."""

    def __init__(self, op: Operand | None, msg: str) -> None:
        super().__init__(msg)
        self.op = op
        self.msg = msg


class Template:
    """A parsed template; functions are checked at parse time as Go does."""

    def __init__(self, src: str, funcs: Mapping[str, Func] | None = None) -> None:
        self.src = src
        self.funcs = dict(FUNCS if funcs is None else funcs)
        self.nodes = parse(src, set(self.funcs))

    def execute(self, data: Any, funcs: Mapping[str, Func] | None = None,
                missingkey_error: bool = False, partial: bool = False) -> str:
        """Render against ``data``; ``funcs`` may override (docker's header functions).

        ``partial`` returns what was written before an error instead of raising (docker
        ignores errors when it renders table headers).
        """
        run = _Run(self, {**self.funcs, **(funcs or {})}, missingkey_error, data)
        try:
            run.nodes(self.nodes, data)
        except _Fail as exc:
            if partial:
                return "".join(run.out)
            raise TemplateError(self._where(exc)) from None
        return "".join(run.out)

    def _where(self, exc: _Fail) -> str:
        if exc.op is None:
            return f"template: :1: {exc.msg}"
        pos = exc.op.pos
        nl = self.src.rfind("\n", 0, pos)
        col = pos if nl < 0 else pos - nl - 1
        line = self.src.count("\n", 0, pos) + 1
        return f'template: :{line}:{col}: executing "" at <{exc.op.text}>: {exc.msg}'


class _Run:
    def __init__(self, tmpl: Template, funcs: dict[str, Func], strict: bool, root: Any) -> None:
        self.funcs = funcs
        self.strict = strict
        self.out: list[str] = []
        self.vars: list[dict[str, Any]] = [{"$": root}]

    def nodes(self, nodes: list[Node], dot: Any) -> None:
        for node in nodes:
            if isinstance(node, str):
                self.out.append(node)
            else:
                self.block(node, dot)

    def block(self, b: Block, dot: Any) -> None:
        assert b.pipe is not None
        if b.kind == "action":
            val = self.pipeline(b.pipe, dot)
            if not b.pipe.decls:
                self.out.append(go_str(val) if not isinstance(val, NoValue) else str(val))
            return
        self.vars.append({})
        try:
            if b.kind == "range":
                self.range(b, dot)
                return
            val = self.pipeline(b.pipe, dot)
            if truth(val):
                self.nodes(b.body, val if b.kind == "with" else dot)
            else:
                self.nodes(b.else_body, dot)
        finally:
            self.vars.pop()

    def range(self, b: Block, dot: Any) -> None:
        assert b.pipe is not None
        decls, b.pipe.decls = b.pipe.decls, []
        try:
            val = self.pipeline(b.pipe, dot)
        finally:
            b.pipe.decls = decls
        items = _items(val, b)
        if not items:
            self.nodes(b.else_body, dot)
            return
        for key, elem in items:
            if len(decls) == 1:
                self.vars[-1][decls[0]] = elem
            elif len(decls) == 2:
                self.vars[-1][decls[0]], self.vars[-1][decls[1]] = key, elem
            self.nodes(b.body, elem)

    def pipeline(self, pipe: Pipeline, dot: Any) -> Any:
        val: Any = _MISSING
        for cmd in pipe.cmds:
            val = self.command(cmd, dot, val)
        for name in pipe.decls:
            if pipe.assign:
                for scope in reversed(self.vars):
                    if name in scope:
                        scope[name] = val
                        break
                else:
                    raise _Fail(None, f"undefined variable: {name}")
            else:
                self.vars[-1][name] = val
        return val

    def command(self, cmd: Command, dot: Any, piped: Any) -> Any:
        first = cmd.args[0]
        if first.kind == "ident":
            args = [self.operand(a, dot) for a in cmd.args[1:]]
            if piped is not _MISSING:
                args.append(piped)
            return self.call(first, args)
        if len(cmd.args) > 1 or piped is not _MISSING:
            raise _Fail(first, f"can't give argument to non-function {first.text}")
        return self.operand(first, dot)

    def call(self, op: Operand, args: list[Any]) -> Any:
        name = str(op.value)
        try:
            return self.funcs[name](*args)
        except TemplateError as exc:
            raise _Fail(op, str(exc)) from None
        except (TypeError, ValueError, AttributeError) as exc:
            if "positional argument" in str(exc) or "missing" in str(exc):
                raise _Fail(op, f"wrong number of args for {name}") from None
            raise _Fail(op, f"error calling {name}: {exc}") from None

    def operand(self, op: Operand, dot: Any) -> Any:
        if op.kind == "field" or op.kind == "dot":
            base = dot
        elif op.kind == "var":
            base = self.lookup_var(op)
        elif op.kind == "pipe":
            assert isinstance(op.value, Pipeline)
            base = self.pipeline(op.value, dot)
        elif op.kind == "nil":
            base = None
        else:
            base = op.value
        for name in op.fields:
            base = self.field(op, base, name)
        return base

    def lookup_var(self, op: Operand) -> Any:
        for scope in reversed(self.vars):
            if op.value in scope:
                return scope[str(op.value)]
        raise _Fail(op, f"undefined variable: {op.value}")

    def field(self, op: Operand, base: Any, name: str) -> Any:
        if base is None or isinstance(base, NoValue):
            raise _Fail(op, f"nil pointer evaluating interface {{}}.{name}")
        if isinstance(base, dict):
            if name in base:
                return base[name]
            if self.strict:
                raise _Fail(op, f'map has no entry for key "{name}"')
            return NO_VALUE
        if isinstance(base, Context) and not name.startswith("_"):
            attr = getattr(base, name, _MISSING)
            if attr is not _MISSING:
                return attr() if callable(attr) else attr
        raise _Fail(op, f"can't evaluate field {name} in type {go_type(base)}")


_MISSING: Any = object()


def _items(val: Any, b: Block) -> list[tuple[Any, Any]]:
    if val is None or isinstance(val, NoValue):
        return []
    if isinstance(val, dict):
        return [(k, val[k]) for k in sorted(val)]
    if isinstance(val, list | tuple):
        return list(enumerate(val))
    if isinstance(val, int) and not isinstance(val, bool):
        return [(i, i) for i in range(val)]
    raise _Fail(None, f"range can't iterate over {go_str(val)}")
