"""top, port, diff, export, commit, update, container prune, stats, events."""

from __future__ import annotations

import sys
from typing import Any

import click

from berth.cli.commands._common import flag, format_option, globals_of, new_command, value
from berth.cli.context import out
from berth.cli.usage import CLIError, check_args


def _table(rows: list[list[str]]) -> str:
    from berth.cli.format.tabwriter import tabwrite

    return tabwrite("".join("\t".join(r) + "\n" for r in rows), minwidth=20, padding=3)


def make_top(name: str, path: str, usage: str) -> click.Command:
    def run(ctx: click.Context, args: tuple[str, ...]) -> None:
        check_args(args, path, usage, min=1)
        doc = globals_of(ctx).client().containers.top(args[0], " ".join(args[1:]) or None)
        out(_table([doc.get("Titles") or []] + (doc.get("Processes") or [])))

    cmd = new_command(name, usage, run, [])
    cmd.context_settings["allow_interspersed_args"] = False
    cmd.context_settings["ignore_unknown_options"] = True
    return cmd


def make_port(name: str, path: str, usage: str) -> click.Command:
    def run(ctx: click.Context, args: tuple[str, ...]) -> None:
        check_args(args, path, usage, min=1, max=2)
        info = globals_of(ctx).client().containers.inspect(args[0])
        ports = (info.get("NetworkSettings") or {}).get("Ports") or {}
        from berth.cli.commands.ports import natural_key

        if len(args) == 2:
            port, _, proto = args[1].partition("/")
            _check_port(port)
            key = f"{port}/{proto or 'tcp'}"
            binds = ports.get(key)
            if binds is None:
                raise CLIError(f"Error: No public port '{args[1]}' published for {args[0]}")
            lines = [_hostport(b) for b in binds]
        else:
            lines = [f"{key} -> {_hostport(b)}" for key in ports for b in ports[key] or []]
        lines.sort(key=natural_key)  # docker: sortorder.NaturalLess over whole lines
        out("".join(line + "\n" for line in lines))

    return new_command(name, usage, run, [])


def _check_port(port: str) -> None:
    """docker parses the port with Go's ParseUint(port, 10, 16) and wraps its error."""
    why = "" if port.isascii() and port.isdigit() else "invalid syntax"
    if not why and int(port) > 65535:
        why = "value out of range"
    if why:
        raise CLIError(f'Error: invalid port ({port}): strconv.ParseUint: parsing "{port}": {why}')


def _hostport(b: dict[str, str]) -> str:
    ip = b.get("HostIp") or "0.0.0.0"
    return f"[{ip}]:{b.get('HostPort')}" if ":" in ip else f"{ip}:{b.get('HostPort')}"


def make_diff(name: str, path: str, usage: str) -> click.Command:
    def run(ctx: click.Context, args: tuple[str, ...]) -> None:
        check_args(args, path, usage, exact=1)
        kinds = {0: "C", 1: "A", 2: "D"}
        for ch in globals_of(ctx).client().containers.changes(args[0]):
            out(f"{kinds.get(int(ch.get('Kind') or 0), '?')} {ch.get('Path')}\n")

    return new_command(name, usage, run, [])


def make_export(name: str, path: str, usage: str) -> click.Command:
    def run(ctx: click.Context, output: str | None, args: tuple[str, ...]) -> None:
        check_args(args, path, usage, exact=1)
        from berth.client.streams import copy_raw

        if not output and sys.stdout.isatty():
            raise CLIError("cowardly refusing to save to a terminal. Use the -o flag or "
                           "redirect")
        resp = globals_of(ctx).client().containers.export(args[0])
        if output:
            with open(output, "wb") as f:
                copy_raw(resp, f)
        else:
            sys.stdout.flush()
            copy_raw(resp, sys.stdout.buffer)

    return new_command(name, usage, run, [
        value(["-o", "--output"], "Write to a file, instead of STDOUT")])


def make_commit(name: str, path: str, usage: str) -> click.Command:
    def run(ctx: click.Context, author: str | None, change: tuple[str, ...],
            message: str | None, pause: str, args: tuple[str, ...]) -> None:
        check_args(args, path, usage, min=1, max=2)
        repo, tag = "", ""
        if len(args) == 2:
            from berth.oci.reference import parse as parse_normalized

            ref = parse_normalized(args[1])
            repo, tag = ref.name, ref.tag
        q: dict[str, Any] = {"container": args[0], "repo": repo, "tag": tag,
                             "comment": message or "", "author": author or "",
                             "pause": None if pause.lower() in ("1", "t", "true") else "0"}
        if change:
            from berth.client.images import _Query

            pairs = sorted([(k, v) for k, v in q.items() if v is not None] +
                           [("changes", c) for c in change])
            q = _Query(pairs)
        res = globals_of(ctx).client().containers.commit(q)
        out(f"{res.get('Id', '')}\n")

    return new_command(name, usage, run, [
        value(["-a", "--author"], 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")'),
        value(["-c", "--change"], "Apply Dockerfile instruction to the created image",
              multiple=True),
        value(["-m", "--message"], "Commit message"),
        value(["-p", "--pause"], "Pause container during commit", default="true"),
    ])


def make_prune(name: str, path: str, usage: str) -> click.Command:
    def run(ctx: click.Context, force: bool, filter: tuple[str, ...],
            args: tuple[str, ...]) -> None:
        check_args(args, path, usage, max=0)
        from berth._util.units import human_size
        from berth.cli.commands._common import parse_filters

        if not force:
            sys.stdout.write("WARNING! This will remove all stopped containers.\n"
                             "Are you sure you want to continue? [y/N] ")
            sys.stdout.flush()
            if sys.stdin.readline().strip().lower() not in ("y", "yes"):
                return
        res = globals_of(ctx).client().containers.prune(parse_filters(filter, path, usage))
        gone = res.get("ContainersDeleted") or []
        if gone:
            out("Deleted Containers:\n" + "".join(f"{c}\n" for c in gone) + "\n")
        out(f"Total reclaimed space: {human_size(res.get('SpaceReclaimed') or 0)}\n")

    return new_command(name, usage, run, [
        value(["--filter"], 'Provide filter values (e.g. "until=<timestamp>")', multiple=True),
        flag(["-f", "--force"], "Do not prompt for confirmation"),
    ])


def make_events(name: str, path: str, usage: str) -> click.Command:
    def run(ctx: click.Context, filter: tuple[str, ...], format: str, since: str | None,
            until: str | None, args: tuple[str, ...]) -> None:
        check_args(args, path, usage, max=0)
        from berth.cli.commands._common import parse_filters
        from berth.cli.commands.eventsfmt import compile_format, event_line
        from berth.cli.commands.execattach import timestamp
        from berth.client import iter_json_messages
        from berth.client.api import filters_param

        tmpl = compile_format(format)
        q = {"since": timestamp(since) if since else None,
             "until": timestamp(until) if until else None,
             "filters": filters_param(parse_filters(filter, path, usage))}
        for ev in iter_json_messages(globals_of(ctx).client().containers.events(q)):
            out(event_line(ev, tmpl) + "\n")
            sys.stdout.flush()

    return new_command(name, usage, run, [
        value(["-f", "--filter"], "Filter output based on conditions provided", multiple=True),
        format_option(), value(["--since"], "Show all events created since timestamp"),
        value(["--until"], "Stream events until this timestamp"),
    ])


def make_update(name: str, path: str, usage: str) -> click.Command:
    from berth.cli.commands.statsfmt import UPDATE_FLAGS, update_body

    def run(ctx: click.Context, args: tuple[str, ...], **o: Any) -> None:
        check_args(args, path, usage, min=1)
        from berth.cli.commands.lifecycle import each

        if not any(o.values()):
            raise CLIError("you must provide one or more flags when using this command", 1)

        body = update_body(o, path, usage)
        api = globals_of(ctx).client().containers

        def one(n: str) -> None:
            res = api.update(n, body)
            for w in res.get("Warnings") or []:
                sys.stderr.write(f"{w}\n")

        each(args, one)

    return new_command(name, usage, run, [value(list(d[:-1]), d[-1]) for d in UPDATE_FLAGS])


def make_stats(name: str, path: str, usage: str) -> click.Command:
    def run(ctx: click.Context, all: bool, format: str, no_stream: bool, no_trunc: bool,
            args: tuple[str, ...]) -> None:
        from berth.cli.commands.statsfmt import show_stats

        show_stats(globals_of(ctx).client(), list(args), all, format, no_stream, no_trunc)

    return new_command(name, usage, run, [
        flag(["-a", "--all"], "Show all containers (default shows just running)"),
        format_option(), flag(["--no-stream"], "Disable streaming stats and only pull the "
                                               "first result"),
        flag(["--no-trunc"], "Do not truncate output"),
    ])
