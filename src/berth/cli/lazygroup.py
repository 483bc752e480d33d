"""The lazy click group: lists commands from a registry, imports one only when it runs.

Importing a command module costs milliseconds (format helpers, client); ``berth --help``
must not pay for all of them.
"""

from __future__ import annotations

import importlib
from typing import Any

import click

from berth.cli.registry import HIDDEN_ALIASES, Entry
from berth.cli.usage import PROG, CLIError, usage_block


class LazyGroup(click.Group):
    """A click group whose subcommands are built from a registry on first use."""

    def __init__(self, *args: Any, registry: dict[str, Entry], usage_line: str,
                 **kwargs: Any) -> None:
        kwargs.setdefault("no_args_is_help", False)
        super().__init__(*args, **kwargs)
        self.registry = registry
        self.usage_line = usage_line
        self.docker_usage = usage_line

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = set(super().list_commands(ctx)) | set(self.registry)
        return sorted(names - HIDDEN_ALIASES)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List commands from the registry's short help, importing none of them."""
        rows = [(name, cmd.get_short_help_str()) for name, cmd in self.commands.items()]
        rows += [(name, entry[3]) for name, entry in self.registry.items()
                 if name not in HIDDEN_ALIASES]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(sorted(rows))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        cmd = super().get_command(ctx, cmd_name)
        if cmd is not None or cmd_name not in self.registry:
            return cmd
        module, factory, usage, short = self.registry[cmd_name]
        path = f"{ctx.command_path} {cmd_name}"
        made: click.Command = getattr(importlib.import_module(module), factory)(
            cmd_name, path, f"{path} {usage}")
        made.help = made.help or short
        return made

    def resolve_command(self, ctx: click.Context,
                        args: list[str]) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0]
        cmd = self.get_command(ctx, name)
        if cmd is None:
            if name.startswith("-"):
                return super().resolve_command(ctx, args)
            path = ctx.command_path
            if ctx.parent is None:
                raise CLIError(f"{PROG}: unknown command: {path} {name}\n\n"
                               f"Run '{path} --help' for more information")
            raise CLIError(f"{PROG}: unknown command: {path} {name}" +
                           usage_block(path, path))
        return name, cmd, args[1:]
