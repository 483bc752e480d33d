"""``tag``, ``rmi``/``image rm`` and ``image prune``."""

from __future__ import annotations

import sys

import click

from berth._util.units import human_size
from berth.cli.commands._common import flag, globals_of, new_command, value
from berth.cli.context import out
from berth.cli.errors import describe
from berth.cli.usage import CLIError, check_args
from berth.errdefs import BerthError, InvalidArgument, NotFound
from berth.oci.reference import is_image_id
from berth.oci.reference import parse as parse_normalized


def tag_target(source: str, target: str) -> tuple[str, str]:
    """Validate like the Go client's ImageTag; returns (repo, tag) for the query."""
    if not is_image_id(source):
        try:
            parse_normalized(source)
        except InvalidArgument as exc:
            raise CLIError(f'Error parsing reference: "{source}" is not a valid '
                           f"repository/tag: {exc.message}") from None
    try:
        ref = parse_normalized(target)
    except InvalidArgument as exc:
        raise CLIError(f'Error parsing reference: "{target}" is not a valid '
                       f"repository/tag: {exc.message}") from None
    if ref.digest:
        raise CLIError("refusing to create a tag with a digest reference")
    return ref.name, ref.tag or "latest"


def make_tag(name: str, path: str, usage: str) -> click.Command:
    def run(ctx: click.Context, args: tuple[str, ...]) -> None:
        check_args(args, path, usage, exact=2)
        repo, tag = tag_target(args[0], args[1])
        globals_of(ctx).client().images.tag(args[0], repo, tag)

    return new_command(name, usage, run, [])


def make_rmi(name: str, path: str, usage: str) -> click.Command:
    def run(ctx: click.Context, force: bool, no_prune: bool, platform: tuple[str, ...],
            args: tuple[str, ...]) -> None:
        check_args(args, path, usage, min=1)
        images = globals_of(ctx).client().images
        errors: list[str] = []
        fatal = False
        for img in args:
            try:
                records = images.remove(img, force=force, noprune=no_prune)
            except BerthError as exc:
                fatal = fatal or not isinstance(exc, NotFound)
                errors.append(describe(exc)[0])
                continue
            for rec in records:
                out(f"Deleted: {rec['Deleted']}\n" if rec.get("Deleted")
                    else f"Untagged: {rec.get('Untagged', '')}\n")
        if errors:
            if not force or fatal:
                raise CLIError("\n".join(errors))
            sys.stderr.write("\n".join(errors) + "\n")

    return new_command(name, usage, run, [
        flag(["-f", "--force"], "Force removal of the image"),
        flag(["--no-prune"], "Do not delete untagged parents"),
        value(["--platform"], "Remove only the given platform variant", multiple=True),
    ])


DANGLING_WARNING = ("WARNING! This will remove all dangling images.\n"
                    "Are you sure you want to continue?")
ALL_WARNING = ("WARNING! This will remove all images without at least one container "
               "associated to them.\nAre you sure you want to continue?")


def confirm(message: str) -> bool:
    """docker's prompt.Confirm: ``message [y/N] `` and a y/Y answer."""
    out(f"{message} [y/N] ")
    sys.stdout.flush()
    answer = sys.stdin.readline()
    return answer.strip() in ("y", "Y")


def make_prune(name: str, path: str, usage: str) -> click.Command:
    def run(ctx: click.Context, force: bool, all: bool, filter: tuple[str, ...],
            args: tuple[str, ...]) -> None:
        from berth.cli.commands._common import parse_filters

        check_args(args, path, usage, max=0)
        filters = parse_filters(filter, path, usage, flag_name="--filter")
        filters.setdefault("dangling", []).append("false" if all else "true")
        if not force and not confirm(ALL_WARNING if all else DANGLING_WARNING):
            return  # docker treats a "no" as a quiet cancellation (exit 0)
        report = globals_of(ctx).client().images.prune(filters)
        deleted = report.get("ImagesDeleted") or []
        reclaimed = report.get("SpaceReclaimed") or 0 if deleted else 0
        if deleted:
            lines = ["Deleted Images:"]
            lines += [f"untagged: {d['Untagged']}" if d.get("Untagged")
                      else f"deleted: {d.get('Deleted', '')}" for d in deleted]
            out("\n".join(lines) + "\n\n")
        out(f"Total reclaimed space: {human_size(reclaimed)}\n")

    return new_command(name, usage, run, [
        flag(["-f", "--force"], "Do not prompt for confirmation"),
        flag(["-a", "--all"], "Remove all unused images, not just dangling ones"),
        value(["--filter"], 'Provide filter values (e.g. "until=<timestamp>")', multiple=True),
    ])
