"""docker's formatter.Context.Write: ``--format`` for lists of rows.

``table …`` renders a header row (the template run over the header map with header
functions) and aligns everything with Go's tabwriter (minwidth 10, padding 3); ``json``
means ``{{json .}}``; anything else is a per-row template.  ``\\t``/``\\n`` written
literally in the format are unescaped, as docker does.
"""

from __future__ import annotations

from berth.cli.format.gofuncs import HEADER_FUNCS
from berth.cli.format.govalues import Context
from berth.cli.format.tabwriter import tabwrite
from berth.cli.format.template import Template, TemplateError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

TABLE = "table"
JSON = "json"


class FormatError(Exception):
    """``template parsing error: …`` (docker wraps both parse and execute errors so)."""


def is_table(fmt: str) -> bool:
    return fmt.startswith(TABLE)


def final_format(fmt: str) -> str:
    """preFormat: strip ``table``, map ``json``, trim spaces, unescape \\t and \\n."""
    if is_table(fmt):
        fmt = fmt[len(TABLE):]
    elif fmt == JSON:
        fmt = "{{json .}}"
    fmt = fmt.strip(" ")
    return fmt.replace("\\t", "\t").replace("\\n", "\n")


def compile_format(fmt: str) -> Template:
    """Parse a (pre-formatted) template, wrapping errors as docker does."""
    try:
        return Template(final_format(fmt))
    except TemplateError as exc:
        raise FormatError(f"template parsing error: {exc}") from None


def render(fmt: str, rows: Iterable[Context], header: Mapping[str, str]) -> str:
    """Render rows; returns the whole output (empty string when nothing to print)."""
    tmpl = compile_format(fmt)
    body = []
    for row in rows:
        try:
            body.append(tmpl.execute(row) + "\n")
        except TemplateError as exc:
            raise FormatError(f"template parsing error: {exc}") from None
    if not is_table(fmt):
        return "".join(body)
    head = tmpl.execute(dict(header), funcs=HEADER_FUNCS, partial=True)
    return tabwrite(head + "\n" + "".join(body), minwidth=10, padding=3)
