"""start, stop, kill, restart, rm, pause, unpause, wait, rename.

Multi-container verbs work as docker's: each name is tried, successes echo the name as
given on stdout, failures are collected and printed together at the end, exit 1.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from berth import errdefs
from berth.cli.commands._common import flag, globals_of, new_command, value
from berth.cli.usage import CLIError, check_args, flag_error


def each(names: tuple[str, ...], fn: Callable[[str], Any], echo: bool = True,
         skip_missing: bool = False, failed_line: str = "") -> None:
    """Apply ``fn`` to every name; print names that worked, then all errors (exit 1).

    ``skip_missing`` is ``rm -f``'s rule: a missing container is reported on stderr at
    once and is not an error (docker exits 0 for it). ``failed_line`` is ``start``'s
    last error line, docker's "Error: failed to start containers: a, b".
    """
    from berth.cli.errors import describe

    errs: list[str] = []
    failed: list[str] = []
    for n in names:
        try:
            res = fn(n)
        except errdefs.BerthError as exc:
            if skip_missing and isinstance(exc, errdefs.NotFound):
                sys.stderr.write(describe(exc)[0] + "\n")
                continue
            errs.append(describe(exc)[0])
            failed.append(n)
            continue
        sys.stdout.write(f"{res if res is not None else n}\n" if echo else "")
        sys.stdout.flush()
    if failed and failed_line:
        errs.append(failed_line + ", ".join(failed))
    if errs:
        raise CLIError("\n".join(errs), 1)


def _int_flag(raw: str | None, name: str, path: str, usage: str) -> int | None:
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        raise flag_error(f'invalid argument "{raw}" for "{name}" flag: strconv.ParseInt: '
                         f'parsing "{raw}": invalid syntax', path, usage) from None


def make_start(name: str, path: str, usage: str) -> click.Command:
    def run(ctx: click.Context, attach: bool, interactive: bool, detach_keys: str | None,
            args: tuple[str, ...]) -> None:
        check_args(args, path, usage, min=1)
        c = globals_of(ctx).client()
        if not (attach or interactive):
            each(args, c.containers.start,
                 failed_line="Error: failed to start containers: ")
            return
        if len(args) > 1:
            raise CLIError("you cannot start and attach multiple containers at once", 1)
        from berth.cli.commands.execattach import attach_running

        status = attach_running(c, args[0], interactive, detach_keys, start=True)
        if status:
            ctx.exit(status)

    return new_command(name, usage, run, [
        flag(["-a", "--attach"], "Attach STDOUT/STDERR and forward signals"),
        flag(["-i", "--interactive"], "Attach container's STDIN"),
        value(["--detach-keys"], "Override the key sequence for detaching a container"),
    ])


def _stop_like(verb: str) -> Callable[[str, str, str], click.Command]:
    def make(name: str, path: str, usage: str) -> click.Command:
        def run(ctx: click.Context, time: str | None, signal: str | None,
                timeout: str | None, args: tuple[str, ...]) -> None:
            check_args(args, path, usage, min=1)
            t = _int_flag(time if time is not None else timeout, "-t, --timeout", path, usage)
            api = globals_of(ctx).client().containers
            fn = api.stop if verb == "stop" else api.restart
            each(args, lambda n: fn(n, t, signal))

        return new_command(name, usage, run, [
            value(["-t", "--timeout", "timeout"], "Seconds to wait before killing the container"),
            value(["--time", "time"], "Seconds to wait before killing the container (deprecated)"),
            value(["-s", "--signal"], "Signal to send to the container"),
        ])
    return make


make_stop = _stop_like("stop")
make_restart = _stop_like("restart")


def make_kill(name: str, path: str, usage: str) -> click.Command:
    def run(ctx: click.Context, signal: str | None, args: tuple[str, ...]) -> None:
        check_args(args, path, usage, min=1)
        api = globals_of(ctx).client().containers
        each(args, lambda n: api.kill(n, signal))

    return new_command(name, usage, run, [
        value(["-s", "--signal"], "Signal to send to the container")])


def make_rm(name: str, path: str, usage: str) -> click.Command:
    def run(ctx: click.Context, force: bool, link: bool, volumes: bool,
            args: tuple[str, ...]) -> None:
        check_args(args, path, usage, min=1)
        api = globals_of(ctx).client().containers
        each(args, lambda n: api.remove(n.strip("/"), force, volumes, link),
             skip_missing=force)

    return new_command(name, usage, run, [
        flag(["-f", "--force"], "Force the removal of a running container (uses SIGKILL)"),
        flag(["-l", "--link"], "Remove the specified link"),
        flag(["-v", "--volumes"], "Remove anonymous volumes associated with the container"),
    ])


def _simple(sub: str) -> Callable[[str, str, str], click.Command]:
    def make(name: str, path: str, usage: str) -> click.Command:
        def run(ctx: click.Context, args: tuple[str, ...]) -> None:
            check_args(args, path, usage, min=1)
            api = globals_of(ctx).client().containers
            each(args, lambda n: api.post(n, sub))
        return new_command(name, usage, run, [])
    return make


make_pause = _simple("/pause")
make_unpause = _simple("/unpause")


def make_wait(name: str, path: str, usage: str) -> click.Command:
    def run(ctx: click.Context, args: tuple[str, ...]) -> None:
        check_args(args, path, usage, min=1)
        api = globals_of(ctx).client().containers

        def one(n: str) -> int:
            import json

            doc = json.loads(api.wait(n).read() or b"{}")
            return int(doc.get("StatusCode", 0))

        each(args, one)
    return new_command(name, usage, run, [])


def make_rename(name: str, path: str, usage: str) -> click.Command:
    def run(ctx: click.Context, args: tuple[str, ...]) -> None:
        check_args(args, path, usage, exact=2)
        old, new = args[0].strip(), args[1].strip()
        if not new or not old:
            raise CLIError("Error: Neither old nor new names may be empty", 1)
        try:
            globals_of(ctx).client().containers.rename(old, new)
        except errdefs.BerthError as exc:  # docker prints the cause, then its own line
            from berth.cli.errors import describe

            sys.stderr.write(describe(exc)[0] + "\n")
            raise CLIError(f"Error: failed to rename container named {old}") from None

    return new_command(name, usage, run, [])
