"""``run`` and ``create``: docker's call sequence, exit codes and terminal handling.

``run``: create (pull and retry on "No such image" unless ``--pull never``) → attach
hijack (unless ``-d``) → wait (``removed`` with ``--rm``, else ``next-exit``) → start →
pump the streams → exit with the container's status.  Errors before the container runs
print as ``berth: <message>`` + a ``--help`` hint with 125, or 126/127 when the command
could not be invoked / was not found (docker's rule on the daemon's message).
"""

from __future__ import annotations

import sys

from berth.cli.usage import PROG, CLIError, arg_error

TYPE_CHECKING = False  # typing is not imported at start-up
if TYPE_CHECKING:
    from typing import Any

    import click


def make_run(name: str, path: str, usage: str) -> click.Command:
    return _command(name, path, usage, run=True)


def make_create(name: str, path: str, usage: str) -> click.Command:
    return _command(name, path, usage, run=False)


def _command(name: str, path: str, usage: str, run: bool) -> click.Command:
    import click

    from berth.cli.commands import runflags
    from berth.cli.commands._common import globals_of

    def callback(ctx: click.Context, **o: Any) -> None:
        args = list(o.pop("args"))
        if not args:
            raise arg_error(path, usage, "requires at least 1 argument", hint="See")
        from berth.cli.commands.runflow import run_or_create

        status = run_or_create(globals_of(ctx).client(), o, args[0], args[1:],
                                       path, run)
        if status:
            ctx.exit(status)

    params = [*runflags.options(run), click.Argument(["args"], nargs=-1, type=click.UNPROCESSED)]
    cmd = click.Command(name, callback=click.pass_context(callback), params=params,
                        context_settings={"help_option_names": ["--help"],
                                          "allow_interspersed_args": False})
    cmd.docker_usage = usage  # type: ignore[attr-defined]
    return cmd


def run_error(message: str, path: str, status: int = 125) -> CLIError:
    """docker's ``docker: <msg>`` + "Run 'docker run --help'" block for run/create."""
    return CLIError(f"{PROG}: {message}\n\nRun '{path} --help' for more information", status)


def invoke_status(message: str) -> int:
    """126/127 for a command the runtime could not invoke / find, else 125."""
    if "executable file not found" in message or "no such file or directory" in message:
        return 127
    if "permission denied" in message or "cannot execute" in message:
        return 126
    return 125


def print_warnings(resp: dict[str, Any]) -> None:
    for w in resp.get("Warnings") or []:
        sys.stderr.write(f"WARNING: {w}\n")
