"""Go's json.Indent over raw bytes: reindent without re-encoding.

``docker image inspect`` prints the daemon's own bytes reindented with four spaces, so
string escapes and key order stay exactly as the daemon wrote them.  Empty arrays and
objects stay compact (``[]``, ``{}``), as in Go.
"""

from __future__ import annotations


def indent(raw: str, prefix: str = "", unit: str = "    ") -> str:
    """Reindent one JSON text; raises ValueError on unbalanced input."""
    out: list[str] = []
    depth = 0
    in_str = esc = False
    need_indent = False  # just opened a container: newline before the next value
    for ch in raw:
        if in_str:
            out.append(ch)
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
            continue
        if ch in " \t\r\n":
            continue
        if need_indent and ch not in "]}":
            need_indent = False
            depth += 1
            out.append("\n" + prefix + unit * depth)
        if ch == '"':
            in_str = True
            out.append(ch)
        elif ch in "[{":
            out.append(ch)
            need_indent = True
        elif ch == ",":
            out.append(",\n" + prefix + unit * depth)
        elif ch == ":":
            out.append(": ")
        elif ch in "]}":
            if need_indent:
                need_indent = False  # empty container stays compact
            else:
                depth -= 1
                if depth < 0:
                    raise ValueError("unbalanced JSON")
                out.append("\n" + prefix + unit * depth)
            out.append(ch)
        else:
            out.append(ch)
    return "".join(out)


def indent_array(elements: list[bytes]) -> str:
    """docker's IndentedInspector output for several raw elements: ``[ … ]``."""
    if not elements:
        return "[]"
    joined = "[" + ",".join(e.decode("utf-8", "replace").strip() for e in elements) + "]"
    return indent(joined)


def compact(raw: str) -> str:
    """Go's json.Compact: drop insignificant whitespace, keep everything else."""
    out: list[str] = []
    in_str = esc = False
    for ch in raw:
        if in_str:
            out.append(ch)
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
            out.append(ch)
        elif ch not in " \t\r\n":
            out.append(ch)
    return "".join(out)
