"""Helpers shared by command modules: building click commands the docker way."""

from __future__ import annotations

from berth.cli.context import Globals

TYPE_CHECKING = False  # typing is not imported at start-up
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    import click


def new_command(name: str, usage: str, callback: Callable[..., Any],
                params: list[click.Parameter]) -> click.Command:
    """A click command taking any number of positional ARGS (checked by the callback)."""
    import click  # here, not at the top: the fast path imports this module without click

    params = [*params, click.Argument(["args"], nargs=-1)]
    cmd = click.Command(name, callback=click.pass_context(callback), params=params,
                        context_settings={"help_option_names": ["--help"],
                                          "ignore_unknown_options": False},
                        add_help_option=True)
    cmd.docker_usage = usage  # type: ignore[attr-defined]
    return cmd


def flag(decls: list[str], help: str) -> click.Option:
    import click

    return click.Option(decls, is_flag=True, default=False, help=help)


def value(decls: list[str], help: str, default: Any = None, multiple: bool = False) -> click.Option:
    import click

    return click.Option(decls, default=default, multiple=multiple, help=help)


def format_option(help: str = "Format output using a custom template") -> click.Option:
    import click

    return click.Option(["--format"], default="", help=help)


def globals_of(ctx: click.Context) -> Globals:
    """The Globals object the root group stored."""
    obj = ctx.find_root().obj
    assert isinstance(obj, Globals)
    return obj


def parse_filters(values: tuple[str, ...], path: str, usage: str,
                  flag_name: str = "-f, --filter") -> dict[str, list[str]]:
    """``key=value`` filter flags → ``{key: [values]}`` (docker's opts.FilterOpt)."""
    from berth.cli.usage import flag_error

    out: dict[str, list[str]] = {}
    for v in values:
        key, sep, val = v.partition("=")
        if not sep:
            raise flag_error(f'invalid argument "{v}" for "{flag_name}" flag: bad format of '
                             "filter (expected name=value)", path, usage)
        out.setdefault(key.strip().lower(), []).append(val.strip())
    return out


def bool_value(raw: str | None, default: bool = True) -> bool:
    """pflag bool values: ``-H``, ``-H=false``, ``--human=0``."""
    if raw is None:
        return default
    raw = raw.lstrip("=").lower()
    return raw in ("", "1", "t", "true", "yes")
