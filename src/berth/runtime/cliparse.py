"""A small flag parser for the runc-shaped CLI (argparse costs startup time we want back).

Each command declares its flags as ``{"--name": (dest, kind)}`` with kind ``bool``,
``str``, ``int`` or ``list`` (repeatable), plus aliases like ``-b``. Flags may be given
as ``--flag value`` or ``--flag=value``; ``--`` ends flags. With ``stop_after`` set,
parsing stops after that many positionals (``exec <id> <cmd> -l`` keeps ``-l``).
"""

from __future__ import annotations

from berth.errdefs import InvalidArgument

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

Spec = dict[str, tuple[str, str]]


def parse(argv: list[str], spec: Spec, *, stop_after: int | None = None
          ) -> tuple[dict[str, Any], list[str]]:
    """(options by dest, positionals); unknown flags raise InvalidArgument."""
    opts: dict[str, Any] = {dest: ([] if kind == "list" else None) for dest, kind
                            in spec.values()}
    pos: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        i += 1
        if stop_after is not None and len(pos) >= stop_after:
            pos.append(arg)
            continue
        if arg == "--":
            pos.extend(argv[i:])
            break
        if not arg.startswith("-") or arg == "-":
            pos.append(arg)
            continue
        name, eq, value = arg.partition("=")
        if name not in spec and not name.startswith("--") and f"-{name}" in spec:
            name = f"-{name}"  # urfave/cli (runc) accepts -root for --root
        if name not in spec:
            raise InvalidArgument(f"flag provided but not defined: {name}")
        dest, kind = spec[name]
        if kind == "bool":
            opts[dest] = value.lower() not in ("false", "0") if eq else True
            continue
        if not eq:
            if i >= len(argv):
                raise InvalidArgument(f"flag needs an argument: {name}")
            value = argv[i]
            i += 1
        opts[dest] = _convert(name, kind, value, opts[dest])
    return opts, pos


def _convert(name: str, kind: str, value: str, current: Any) -> Any:
    if kind == "int":
        try:
            return int(value)
        except ValueError:
            raise InvalidArgument(f"invalid value {value!r} for flag {name}: not a number")\
                from None
    if kind == "list":
        return [*current, value]
    return value
