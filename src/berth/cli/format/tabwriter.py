"""Go's text/tabwriter (the elastic-tabstop algorithm docker prints tables with).

Cells are tab-terminated; the text after a line's last tab is not part of any column.
A column block is a run of consecutive lines that have a cell in that column; its width
is the widest cell plus padding, at least ``minwidth``.  Widths count runes, as Go does.
``docker`` uses ``minwidth=10, padding=3`` for lists and ``20, 1`` for ``version``.
"""

from __future__ import annotations

Line = list[str]


class _Formatter:
    def __init__(self, lines: list[Line], minwidth: int, padding: int, padchar: str) -> None:
        self.lines = lines
        self.minwidth = minwidth
        self.padding = padding
        self.padchar = padchar
        self.widths: list[int] = []
        self.out: list[str] = []

    def format(self, line0: int, line1: int) -> None:
        """Go's recursive ``format``: find column blocks, fix their width, recurse."""
        column = len(self.widths)
        this = line0
        while this < line1:
            if column >= len(self.lines[this]) - 1:
                this += 1
                continue
            self.write_lines(line0, this)
            line0 = this
            width = self.minwidth
            while this < line1 and column < len(self.lines[this]) - 1:
                width = max(width, len(self.lines[this][column]) + self.padding)
                this += 1
            self.widths.append(width)
            self.format(line0, this)
            self.widths.pop()
            line0 = this
        self.write_lines(line0, line1)

    def write_lines(self, line0: int, line1: int) -> None:
        for i in range(line0, line1):
            parts = []
            for j, cell in enumerate(self.lines[i]):
                parts.append(cell)
                if j < len(self.widths):
                    parts.append(self.padchar * (self.widths[j] - len(cell)))
            self.out.append("".join(parts))


def tabwrite(text: str, minwidth: int = 10, padding: int = 3, padchar: str = " ") -> str:
    """Align tab-separated ``text`` like Go's tabwriter followed by Flush."""
    raw_lines = text.split("\n")
    lines = [ln.split("\t") for ln in raw_lines]
    if lines and lines[-1] == [""]:
        lines[-1] = []  # the unterminated last line has no cells
    fmt = _Formatter(lines, minwidth, padding, padchar)
    fmt.format(0, len(lines))
    return "\n".join(fmt.out)
