"""``volume create|ls|inspect|rm|prune``: docker's flags, output and messages."""

from __future__ import annotations

import re
import sys
from typing import Any

import click

from berth._util.units import human_size
from berth.cli.commands._common import (
    flag,
    format_option,
    globals_of,
    new_command,
    parse_filters,
    value,
)
from berth.cli.commands.image_ops import confirm
from berth.cli.context import out
from berth.cli.errors import describe
from berth.cli.format.govalues import Context
from berth.cli.format.listing import render
from berth.cli.usage import CLIError, check_args
from berth.errdefs import BerthError

LS_TABLE = "table {{.Driver}}\t{{.Name}}"
HEADER = {"ID": "ID", "Name": "VOLUME NAME", "Group": "GROUP", "Driver": "DRIVER",
          "Scope": "SCOPE", "Availability": "AVAILABILITY", "Mountpoint": "MOUNTPOINT",
          "Labels": "LABELS", "Links": "LINKS", "Size": "SIZE", "Status": "STATUS"}


class VolumeRow(Context):
    """docker's volumeContext."""

    type_name = "*formatter.volumeContext"
    json_fields = ("Availability", "Driver", "Group", "Labels", "Links", "Mountpoint",
                   "Name", "Scope", "Size", "Status")

    def __init__(self, v: dict[str, Any]) -> None:
        self.v = v

    def Name(self) -> str:
        return str(self.v.get("Name", ""))

    def Driver(self) -> str:
        return str(self.v.get("Driver", ""))

    def Scope(self) -> str:
        return str(self.v.get("Scope", ""))

    def Mountpoint(self) -> str:
        return str(self.v.get("Mountpoint", ""))

    def Labels(self) -> str:
        labels = self.v.get("Labels") or {}
        return ",".join(f"{k}={v}" for k, v in labels.items())

    def Links(self) -> str:
        usage = self.v.get("UsageData")
        return "N/A" if usage is None else str(usage.get("RefCount", 0))

    def Size(self) -> str:
        usage = self.v.get("UsageData")
        return "N/A" if usage is None else human_size(usage.get("Size", 0))

    def Group(self) -> str:
        return "N/A"

    def Availability(self) -> str:
        return "N/A"

    def Status(self) -> str:
        return "N/A"


def natural_key(name: str) -> list[tuple[int, int | str]]:
    """sortorder.NaturalLess: digit runs compare as numbers."""
    return [(0, int(p)) if p.isdigit() else (1, p) for p in re.findall(r"\d+|\D+", name)]


def _kv(values: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for v in values:
        key, _, val = v.partition("=")
        out[key] = val
    return out


def make_create(name: str, path: str, usage: str) -> click.Command:
    def run(ctx: click.Context, driver: str, name_: str | None, opt: tuple[str, ...],
            label: tuple[str, ...], args: tuple[str, ...]) -> None:
        check_args(args, path, usage, max=1)
        if args and name_:
            raise CLIError("conflicting options: cannot specify a volume-name through both "
                           "--name and as a positional arg")
        body: dict[str, Any] = {"Driver": driver}
        if opt:
            body["DriverOpts"] = _kv(opt)
        if label:
            body["Labels"] = _kv(label)
        vol_name = args[0] if args else name_
        if vol_name:
            body["Name"] = vol_name
        vol = globals_of(ctx).client().volumes.create(body)
        out(f"{vol.get('Name', '')}\n")

    return new_command(name, usage, run, [
        value(["-d", "--driver"], "Specify volume driver name", default="local"),
        value(["--name", "name_"], "Specify volume name"),
        value(["-o", "--opt"], "Set driver specific options", multiple=True),
        value(["--label"], "Set metadata for a volume", multiple=True),
    ])


def make_ls(name: str, path: str, usage: str) -> click.Command:
    def run(ctx: click.Context, quiet: bool, format: str, filter: tuple[str, ...],
            cluster: bool, args: tuple[str, ...]) -> None:
        check_args(args, path, usage, max=0)
        filters = parse_filters(filter, path, usage)
        vols = globals_of(ctx).client().volumes.list(filters).get("Volumes") or []
        if cluster:
            vols = [v for v in vols if v.get("ClusterVolume")]
        vols.sort(key=lambda v: natural_key(str(v.get("Name", ""))))
        fmt = format or "table"
        if fmt == "table":
            fmt = "{{.Name}}" if quiet else LS_TABLE
        out(render(fmt, [VolumeRow(v) for v in vols], HEADER))

    return new_command(name, usage, run, [
        flag(["-q", "--quiet"], "Only display volume names"),
        format_option("Pretty-print volumes using a Go template"),
        value(["-f", "--filter"], "Provide filter values (e.g. 'dangling=true')",
              multiple=True),
        flag(["--cluster"], "Display only cluster volumes, and use cluster volume list "
                            "formatting"),
    ])


def make_inspect(name: str, path: str, usage: str) -> click.Command:
    from berth.cli.commands.inspect import inspect_all

    def run(ctx: click.Context, format: str, args: tuple[str, ...]) -> None:
        check_args(args, path, usage, min=1)
        inspect_all(args, format, globals_of(ctx).client().volumes.inspect_raw)

    return new_command(name, usage, run, [
        value(["-f", "--format"], "Format output using a custom template", default=""),
    ])


def make_rm(name: str, path: str, usage: str) -> click.Command:
    def run(ctx: click.Context, force: bool, args: tuple[str, ...]) -> None:
        check_args(args, path, usage, min=1)
        volumes = globals_of(ctx).client().volumes
        errors: list[str] = []
        for vol in args:
            try:
                volumes.remove(vol, force=force)
            except BerthError as exc:
                errors.append(describe(exc)[0])
                continue
            out(f"{vol}\n")
        if errors:
            raise CLIError("\n".join(errors))

    return new_command(name, usage, run, [
        flag(["-f", "--force"], "Force the removal of one or more volumes"),
    ])


ANON_WARNING = ("WARNING! This will remove anonymous local volumes not used by at least "
                "one container.\nAre you sure you want to continue?")
ALL_WARNING = ("WARNING! This will remove all local volumes not used by at least one "
               "container.\nAre you sure you want to continue?")


def make_prune(name: str, path: str, usage: str) -> click.Command:
    def run(ctx: click.Context, all: bool, force: bool, filter: tuple[str, ...],
            args: tuple[str, ...]) -> None:
        check_args(args, path, usage, max=0)
        filters = parse_filters(filter, path, usage, flag_name="--filter")
        if all:
            if "all" in filters:
                raise CLIError("conflicting options: cannot specify both --all and "
                               "--filter all=1")
            filters["all"] = ["true"]
        if not force and not confirm(ALL_WARNING if all else ANON_WARNING):
            return  # a "no" is a quiet cancellation, as for image prune
        report = globals_of(ctx).client().volumes.prune(filters)
        deleted = report.get("VolumesDeleted") or []
        reclaimed = int(report.get("SpaceReclaimed") or 0) if deleted else 0
        if deleted:
            out("Deleted Volumes:\n" + "".join(f"{d}\n" for d in deleted) + "\n")
        out(f"Total reclaimed space: {human_size(reclaimed)}\n")
        sys.stdout.flush()

    return new_command(name, usage, run, [
        flag(["-a", "--all"], "Remove all unused volumes, not just anonymous ones"),
        flag(["-f", "--force"], "Do not prompt for confirmation"),
        value(["--filter"], 'Provide filter values (e.g. "label=<label>")', multiple=True),
    ])
