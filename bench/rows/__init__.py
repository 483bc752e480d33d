"""Every module in this package that defines ``ROWS`` (a list of Row classes) is a bench row.

Adding a row is adding a module: no list to edit. Rows run in ``order`` (then name).
"""

from __future__ import annotations

import importlib
import pkgutil

from bench.core import Row


def discover() -> list[type[Row]]:
    """All row classes of this package, in run order."""
    found: list[type[Row]] = []
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        found += getattr(module, "ROWS", [])
    return sorted(found, key=lambda r: (getattr(r, "order", 100), r.name))


def select(names: list[str] | None, quick: bool) -> list[type[Row]]:
    """The rows named (any order, unknown names rejected), else the default or quick set."""
    rows = discover()
    if names:
        by_name = {r.name: r for r in rows}
        unknown = [n for n in names if n not in by_name]
        if unknown:
            raise ValueError(f"unknown rows: {', '.join(unknown)}; known: {', '.join(by_name)}")
        return [by_name[n] for n in names]
    return [r for r in rows if r.in_quick] if quick else rows
