"""The fast path: ``run``/``create``/``ps``/``images``/``inspect`` parsed without click.

Why: these are the commands people (and benchmarks) run in loops, and importing click
costs more than ``docker ps`` takes in total. The parser here understands only plain,
well-formed command lines: long flags (``--name x``, ``--name=x``), shorthand clusters
(``-it``, ``-p80:80``, ``-e X``) and positionals. Anything else (``--help``, an unknown or
malformed flag, a missing value, ``--flag=value`` on a boolean, a missing argument, other
commands) returns ``None`` and the caller re-parses the whole line with click, so help
and error output stay exactly what they were; the fast path never prints a usage error.
"""

from __future__ import annotations

from berth.cli import registry
from berth.cli.context import Globals
from berth.cli.usage import PROG, CLIError

TYPE_CHECKING = False  # typing is not imported at start-up
if TYPE_CHECKING:
    from collections.abc import Callable

    Runner = Callable[[Globals, list[str], str, str], "int | None"]

Spec = list[tuple[list[str], str, str]]  # (flags, kind: flag|one|many, help) as runflags

GLOBAL: Spec = [(["-H", "--host"], "many", ""), (["-D", "--debug"], "flag", ""),
                (["-l", "--log-level"], "one", ""), (["--config"], "one", "")]
PS: Spec = [(["-a", "--all"], "flag", ""), (["-f", "--filter"], "many", ""),
            (["--format"], "one", ""), (["-n", "--last"], "one", ""),
            (["-l", "--latest"], "flag", ""), (["--no-trunc"], "flag", ""),
            (["-q", "--quiet"], "flag", ""), (["-s", "--size"], "flag", "")]
IMAGES: Spec = [(["-q", "--quiet"], "flag", ""), (["-a", "--all"], "flag", ""),
                (["--no-trunc"], "flag", ""), (["--digests"], "flag", ""),
                (["--format"], "one", ""), (["-f", "--filter"], "many", "")]
_FORMAT: Spec = [(["-f", "--format"], "one", "")]
INSPECT: Spec = [*_FORMAT, (["--type"], "one", ""), (["-s", "--size"], "flag", "")]
CONTAINER_INSPECT: Spec = [*_FORMAT, (["-s", "--size"], "flag", "")]
IMAGE_INSPECT: Spec = [*_FORMAT, (["--platform"], "one", "")]
LEVELS = ("debug", "info", "warn", "error", "fatal")
Opts = dict[str, object]


def _table(spec: Spec) -> dict[str, tuple[str, str]]:
    table = {}
    for decls, kind, _ in spec:
        dest = next(d for d in decls if d.startswith("--"))[2:].replace("-", "_")
        for d in decls:
            table[d] = (dest, kind)
    return table


def parse(args: list[str], spec: Spec, interspersed: bool) -> tuple[Opts, list[str]] | None:
    """pflag-style parse into ``{dest: value}`` (click's defaults) + positionals, or None."""
    table = _table(spec)
    opts: Opts = {d: False if k == "flag" else () if k == "many" else None
                  for d, k in table.values()}
    pos: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        i += 1
        if pos and not interspersed:
            pos.append(a)
            continue
        if a == "--":
            return None
        if a.startswith("--"):
            name, eq, val = a.partition("=")
            want: list[tuple[str, str | None]] = [(name, val if eq else None)]
            if name not in table or (eq and table[name][1] == "flag"):
                return None
        elif a.startswith("-") and len(a) > 1:
            want = []
            for j in range(1, len(a)):
                short = "-" + a[j]
                if short not in table:
                    return None
                if table[short][1] != "flag":
                    rest = a[j + 1:]
                    if rest.startswith("="):
                        return None  # pflag and click read "-e=X" differently
                    want.append((short, rest or None))
                    break
                want.append((short, None))
        else:
            pos.append(a)
            continue
        for flag, given in want:
            dest, kind = table[flag]
            if kind == "flag":
                opts[dest] = True
                continue
            if given is None:
                if i >= len(args):
                    return None
                given, i = args[i], i + 1
            opts[dest] = (*opts[dest], given) if kind == "many" else given  # type: ignore[misc]
    return opts, pos


def dispatch(args: list[str]) -> int | None:
    """Run ``args`` if the fast path understands them; None means "ask click"."""
    head = parse(args, GLOBAL, interspersed=False)
    if head is None or not head[1]:
        return None
    g, rest = head
    hosts = g["host"]
    level = g["log_level"] or "info"
    if len(hosts) > 1 or level not in LEVELS:  # type: ignore[arg-type]
        return None
    table, path = registry.TOP_COMMANDS, PROG
    if rest[0] in _GROUPS and len(rest) > 1:
        table, path, rest = _GROUPS[rest[0]], f"{PROG} {rest[0]}", rest[1:]
    name, rest = rest[0], rest[1:]
    entry = table.get(name)
    runner = _COMMANDS.get((entry[0], entry[1])) if entry else None
    if entry is None or runner is None:
        return None
    glob = Globals(host=hosts[0] if hosts else None, debug=bool(g["debug"]),  # type: ignore[index]
                   log_level=str(level), config=g["config"])  # type: ignore[arg-type]
    path = f"{path} {name}"
    return runner(glob, rest, path, f"{path} {entry[2]}")


def _guard(fn: object, *a: object) -> int:
    """Run a command with the click root's error mapping (the same messages and status)."""
    try:
        rv = fn(*a)  # type: ignore[operator]
        return rv if isinstance(rv, int) else 0
    except CLIError as exc:
        import sys

        sys.stderr.write(exc.message + "\n")
        return exc.status
    except BrokenPipeError:
        return 0
    except Exception as exc:
        import sys

        from berth.cli.errors import describe

        message, status = describe(exc)
        sys.stderr.write(message + "\n")
        return status


def _ps(g: Globals, args: list[str], path: str, usage: str) -> int | None:
    parsed = parse(args, PS, interspersed=True)
    if parsed is None or parsed[1]:
        return None
    from berth.cli.commands.ps import list_ps

    o = parsed[0]
    o["format"] = o["format"] or ""
    o["last"] = "-1" if o["last"] is None else o["last"]
    return _guard(list_ps, g, path, usage, o)


def _images(g: Globals, args: list[str], path: str, usage: str) -> int | None:
    parsed = parse(args, IMAGES, interspersed=True)
    if parsed is None or len(parsed[1]) > 1:
        return None
    from berth.cli.commands.images import list_images

    o = parsed[0]
    o["format"] = o["format"] or ""
    return _guard(list_images, g, path, usage, o, tuple(parsed[1]))


def _run(g: Globals, args: list[str], path: str, usage: str, run: bool = True) -> int | None:
    from berth.cli.commands import runflags

    parsed = parse(args, runflags.SPEC + (runflags.RUN_ONLY if run else []),
                   interspersed=False)
    if parsed is None or not parsed[1]:
        return None
    from berth.cli.commands.runflow import run_or_create

    o, pos = parsed
    return _guard(lambda: run_or_create(g.client(), o, pos[0], pos[1:], path, run))


def _create(g: Globals, args: list[str], path: str, usage: str) -> int | None:
    return _run(g, args, path, usage, run=False)


def _inspect(spec: Spec, body: str) -> Runner:
    """A runner for one of ``berth.cli.commands.inspect``'s bodies (flags per ``spec``)."""

    def runner(g: Globals, args: list[str], path: str, usage: str) -> int | None:
        parsed = parse(args, spec, interspersed=True)
        if parsed is None or not parsed[1]:
            return None  # no NAME: click words the usage error
        from berth.cli.commands import inspect

        o = parsed[0]
        o["format"] = o["format"] or ""
        return _guard(getattr(inspect, body), g, path, usage, o, tuple(parsed[1]))

    return runner


_CMDS = "berth.cli.commands."
# keyed by the registry's (module, factory), so every alias (container ls, image list …)
# works and the network/volume factories of the same name are not taken for these
_COMMANDS: dict[tuple[str, str], Runner] = {
    (_CMDS + "ps", "make_ps"): _ps, (_CMDS + "images", "make_images"): _images,
    (_CMDS + "run", "make_run"): _run, (_CMDS + "run", "make_create"): _create,
    (_CMDS + "inspect", "make_inspect"): _inspect(INSPECT, "inspect_any"),
    (_CMDS + "inspect", "make_container_inspect"): _inspect(CONTAINER_INSPECT,
                                                            "inspect_containers"),
    (_CMDS + "inspect", "make_image_inspect"): _inspect(IMAGE_INSPECT, "inspect_images"),
}
_GROUPS = {"container": registry.CONTAINER_COMMANDS, "image": registry.IMAGE_COMMANDS}
