"""The click root of ``berth``: global flags, command groups, error mapping.

Reached from ``berth.cli.main`` whenever the fast path (``berth.cli.fast``) declines a
command line: help, errors, and every command it does not parse itself.
Commands live in ``berth.cli.commands.*`` and are imported only when invoked, so
``berth --help`` and ``berth version`` stay fast.  Every error is printed here, with
docker's wording and exit status (daemon errors: ``Error response from daemon: …``, 1;
usage errors: 1, bad flags: 125).
"""

from __future__ import annotations

import sys
from typing import Any

import click

from berth import __version__
from berth.cli.context import Globals
from berth.cli.lazygroup import LazyGroup
from berth.cli.registry import (
    CONTAINER_COMMANDS,
    IMAGE_COMMANDS,
    NETWORK_COMMANDS,
    SYSTEM_COMMANDS,
    TOP_COMMANDS,
    VOLUME_COMMANDS,
)
from berth.cli.usage import PROG, CLIError, flag_error


@click.group(
    cls=LazyGroup,
    registry=TOP_COMMANDS,
    usage_line=f"{PROG} [OPTIONS] COMMAND",
    context_settings={"help_option_names": ["--help"]},
    invoke_without_command=True,
)
@click.option("-H", "--host", "host", multiple=True, help="Daemon socket to connect to")
@click.option("-D", "--debug", is_flag=True, help="Enable debug mode")
@click.option("-l", "--log-level", default="info",
              type=click.Choice(["debug", "info", "warn", "error", "fatal"]),
              help='Set the logging level ("debug", "info", "warn", "error", "fatal")')
@click.option("--config", default=None, help="Location of client config files")
@click.option("-v", "--version", "show_version", is_flag=True,
              help="Print version information and quit")
@click.pass_context
def cli(ctx: click.Context, host: tuple[str, ...], debug: bool, log_level: str,
        config: str | None, show_version: bool) -> None:
    """A self-sufficient runtime for containers"""
    if len(host) > 1:
        raise CLIError("Specify only one -H", 1)
    ctx.obj = Globals(host=host[0] if host else None, debug=debug, log_level=log_level,
                      config=config)
    if show_version:
        click.echo(f"Berth version {__version__}, build berth")
        ctx.exit(0)
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


@cli.group(cls=LazyGroup, registry=IMAGE_COMMANDS, usage_line=f"{PROG} image COMMAND")
def image() -> None:
    """Manage images"""


@cli.group(cls=LazyGroup, registry=CONTAINER_COMMANDS,
           usage_line=f"{PROG} container COMMAND")
def container() -> None:
    """Manage containers"""


@cli.group(cls=LazyGroup, registry=NETWORK_COMMANDS,
           usage_line=f"{PROG} network COMMAND")
def network() -> None:
    """Manage networks"""


@cli.group(cls=LazyGroup, registry=VOLUME_COMMANDS, usage_line=f"{PROG} volume COMMAND")
def volume() -> None:
    """Manage volumes"""


@cli.group(cls=LazyGroup, registry=SYSTEM_COMMANDS, usage_line=f"{PROG} system COMMAND")
def system() -> None:
    """Manage Docker"""


def run(args: list[str]) -> int:
    """Run one command line; returns the exit status."""
    try:
        rv = cli.main(args, prog_name=PROG, standalone_mode=False)
        if isinstance(rv, int):
            return rv  # ctx.exit(n): a container's exit status
    except CLIError as exc:
        sys.stderr.write(exc.message + "\n")
        return exc.status
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.ctx.get_help() if exc.ctx else "")
        return 0
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.exceptions.ClickException as exc:
        return _click_error(exc)
    except click.exceptions.Abort:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:
        return report(exc)
    return 0


def report(exc: BaseException) -> int:
    from berth.cli.errors import describe

    message, status = describe(exc)
    sys.stderr.write(message + "\n")
    return status


def _click_error(exc: click.ClickException) -> int:
    """Re-word click's flag errors the way pflag/cobra word them."""
    ctx: Any = getattr(exc, "ctx", None)
    path = ctx.command_path if ctx else PROG
    usage = getattr(ctx.command, "docker_usage", path) if ctx else PROG
    if isinstance(exc, click.exceptions.NoSuchOption):
        name = exc.option_name
        msg = f"unknown flag: {name}" if name.startswith("--") else \
            f"unknown shorthand flag: '{name[1:2]}' in {name}"
    elif isinstance(exc, click.exceptions.BadOptionUsage):
        name = exc.option_name
        msg = (f"flag needs an argument: {name}" if name.startswith("--")
               else f"flag needs an argument: '{name[1:]}' in {name}")
    else:
        msg = exc.format_message()
    err = flag_error(msg, path, usage)
    sys.stderr.write(err.message + "\n")
    return err.status
