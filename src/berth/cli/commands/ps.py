"""``ps`` / ``container ls``: docker's containerContext columns over ``GET /containers/json``."""

from __future__ import annotations

import sys

from berth._util.fastjson import dumps_compact
from berth._util.units import human_size_precision
from berth.cli.commands._common import globals_of, parse_filters
from berth.cli.commands.images import go_time_string, since, truncate_id
from berth.cli.commands.ports import format_ports
from berth.cli.context import Globals, out
from berth.cli.format.govalues import Context
from berth.cli.format.listing import render
from berth.cli.usage import CLIError, check_args, flag_error

TYPE_CHECKING = False  # typing, collections.abc and json stay off the CLI's start-up
if TYPE_CHECKING:
    from typing import Any

    import click

PS_TABLE = ("table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t"
            "{{.Ports}}\t{{.Names}}")
PS_HEADER = {"ID": "CONTAINER ID", "Image": "IMAGE", "Command": "COMMAND",
             "CreatedAt": "CREATED AT", "RunningFor": "CREATED", "Ports": "PORTS",
             "State": "STATE", "Status": "STATUS", "Size": "SIZE", "Names": "NAMES",
             "Labels": "LABELS", "Mounts": "MOUNTS", "LocalVolumes": "LOCAL VOLUMES",
             "Networks": "NETWORKS", "Platform": "PLATFORM"}


def ellipsis(s: str, n: int) -> str:
    """docker's formatter.Ellipsis: cut to ``n`` runes, the last one being ``…``."""
    if len(s) <= n:
        return s
    return s[: n - 1] + "…" if n > 1 else s[:n]


def go_quote(s: str) -> str:
    """strconv.Quote for ordinary text (JSON escapes are close enough for commands)."""
    return dumps_compact(s)  # json.dumps(s, ensure_ascii=False)


class ContainerRow(Context):
    """One row of ``ps``: docker's containerContext."""

    type_name = "*formatter.ContainerContext"
    json_fields = ("Command", "CreatedAt", "ID", "Image", "Labels", "LocalVolumes", "Mounts",
                   "Names", "Networks", "Platform", "Ports", "RunningFor", "Size", "State",
                   "Status")

    def __init__(self, c: dict[str, Any], trunc: bool) -> None:
        self.c, self.trunc = c, trunc

    def ID(self) -> str:
        cid = self.c.get("Id") or ""
        return truncate_id(cid) if self.trunc else cid

    def Names(self) -> str:
        names = [n[1:] if n.startswith("/") else n for n in self.c.get("Names") or []]
        names = [n for n in names if "/" not in n] if self.trunc else names
        return ",".join(names[:1] if self.trunc else names)

    def Image(self) -> str:
        img = self.c.get("Image") or "<no image>"
        if self.trunc and img.startswith("sha256:"):
            return truncate_id(img)
        return img

    def Command(self) -> str:
        cmd = self.c.get("Command") or ""
        return go_quote(ellipsis(cmd, 20) if self.trunc else cmd)

    def CreatedAt(self) -> str:
        return go_time_string(int(self.c.get("Created") or 0))

    def RunningFor(self) -> str:
        return since(int(self.c.get("Created") or 0))

    def Ports(self) -> str:
        return format_ports(self.c.get("Ports"))

    def State(self) -> str:
        return str(self.c.get("State") or "")

    def Status(self) -> str:
        return str(self.c.get("Status") or "")

    def Size(self) -> str:
        rw, root = self.c.get("SizeRw") or 0, self.c.get("SizeRootFs") or 0
        if not rw and not root and "SizeRw" not in self.c:
            return "0B"
        s = human_size_precision(rw, 3)
        return f"{s} (virtual {human_size_precision(root, 3)})" if root else s

    def Labels(self) -> str:
        labels = self.c.get("Labels") or {}
        return ",".join(f"{k}={v}" for k, v in labels.items())

    def Mounts(self) -> str:
        names = []
        for m in self.c.get("Mounts") or []:
            name = m.get("Name") or m.get("Source") or ""
            names.append(ellipsis(name, 15) if self.trunc else name)
        return ",".join(names)

    def LocalVolumes(self) -> str:
        return str(sum(1 for m in self.c.get("Mounts") or [] if m.get("Driver") == "local"))

    def Platform(self) -> Any:
        return self.c.get("ImageManifestDescriptor", {}).get("platform")

    def Networks(self) -> str:
        nets = ((self.c.get("NetworkSettings") or {}).get("Networks") or {})
        return ",".join(sorted(nets))


def ps_format(source: str, quiet: bool, size: bool) -> str:
    """formatter.NewContainerFormat."""
    if source in ("", "table"):
        if quiet:
            return "{{.ID}}"
        return PS_TABLE + ("\t{{.Size}}" if size else "")
    if quiet and source.startswith("table"):
        return "{{.ID}}"
    return source


def validate_format(source: str) -> None:
    """docker 28 parses and runs ``--format`` (as given, ``table`` prefix and all) on an
    empty row before listing, so a bad field fails even when no container matches."""
    from berth.cli.format.template import Template, TemplateError

    try:
        tmpl = Template(source)
    except TemplateError as exc:
        raise CLIError(f"failed to parse template: {exc}") from None
    try:
        tmpl.execute(ContainerRow({}, True))
    except TemplateError as exc:
        raise CLIError(f"failed to execute template: {exc}") from None


def list_ps(g: Globals, path: str, usage: str, o: dict[str, Any],
            args: tuple[str, ...] = ()) -> None:
    """The body of ``ps``: ``o`` holds the flags by click's names (the fast path fills it
    the same way)."""
    check_args(args, path, usage, max=0)
    last, fmt_src, quiet, size = o["last"], o["format"], o["quiet"], o["size"]
    try:
        n = int(last)
    except ValueError:
        raise flag_error(f'invalid argument "{last}" for "-n, --last" flag: '
                         f'strconv.ParseInt: parsing "{last}": invalid syntax',
                         path, usage) from None
    if o["latest"] and n == -1:
        n = 1
    filters = parse_filters(o["filter"], path, usage)
    if fmt_src and quiet:
        sys.stderr.write("WARNING: Ignoring custom format, because both --format and "
                         "--quiet are set.\n")
    if fmt_src:
        validate_format(fmt_src)
    fmt = ps_format(fmt_src, quiet, size)
    want_size = size or (".Size" in fmt and not quiet)
    rows = g.client().containers.list(
        all=o["all"], limit=n if n > 0 else None, size=want_size, filters=filters)
    out(render(fmt, [ContainerRow(c, not o["no_trunc"]) for c in rows], PS_HEADER))


def make_ps(name: str, path: str, usage: str) -> click.Command:
    from berth.cli.commands._common import flag, format_option, new_command, value

    def run(ctx: click.Context, args: tuple[str, ...], **o: Any) -> None:
        list_ps(globals_of(ctx), path, usage, o, args)

    return new_command(name, usage, run, [
        flag(["-a", "--all"], "Show all containers (default shows just running)"),
        value(["-f", "--filter"], "Filter output based on conditions provided", multiple=True),
        format_option(),
        value(["-n", "--last"], "Show n last created containers (includes all states)",
              default="-1"),
        flag(["-l", "--latest"], "Show the latest created container (includes all states)"),
        flag(["--no-trunc"], "Don't truncate output"),
        flag(["-q", "--quiet"], "Only display container IDs"),
        flag(["-s", "--size"], "Display total file sizes"),
    ])
