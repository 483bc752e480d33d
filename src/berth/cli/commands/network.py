"""``network create|ls|inspect|rm|prune|connect|disconnect`` with docker's flags and output.

``ls`` sorts by name in natural order (numbers compare as numbers) and renders docker's
networkContext; ``rm`` prints each removed name and reports failures after, exit 1;
``prune`` asks unless ``-f`` and prints ``Deleted Networks:``; ``create`` prints the id.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from berth.cli.commands._common import (
    flag,
    format_option,
    globals_of,
    new_command,
    parse_filters,
    value,
)
from berth.cli.commands.ports import natural_key
from berth.cli.context import out
from berth.cli.format.govalues import Context
from berth.cli.format.listing import render
from berth.cli.usage import CLIError, check_args, flag_error

if TYPE_CHECKING:
    import click

NETWORK_TABLE = "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}"
NETWORK_RAW = "network_id: {{.ID}}\\nname: {{.Name}}\\ndriver: {{.Driver}}\\nscope: {{.Scope}}\\n"
NETWORK_HEADER = {"ID": "NETWORK ID", "Name": "NAME", "Driver": "DRIVER", "Scope": "SCOPE",
                  "IPv4": "IPV4", "IPv6": "IPV6", "Internal": "INTERNAL", "Labels": "LABELS",
                  "CreatedAt": "CREATED AT"}
PRUNE_WARNING = ("WARNING! This will remove all custom networks not used by at least one "
                 "container.\nAre you sure you want to continue?")
def go_time(raw: str) -> str:
    """Go's time.Time.String() of an RFC 3339 timestamp, keeping its zone as Go parses it."""
    if not raw:
        return "0001-01-01 00:00:00 +0000 UTC"
    m = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$", raw)
    if not m:
        return raw
    base, frac, zone = m.groups()
    frac = (frac or "").rstrip("0")
    text = datetime.fromisoformat(base).strftime("%Y-%m-%d %H:%M:%S")
    text += frac if frac != "." else ""
    if zone == "Z":
        return text + " +0000 UTC"
    offset = zone.replace(":", "")
    return f"{text} {offset} {offset}"


class NetworkRow(Context):
    """One row of ``network ls``: docker's networkContext."""

    type_name = "*network.networkContext"
    json_fields = ("CreatedAt", "Driver", "ID", "IPv4", "IPv6", "Internal", "Labels", "Name",
                   "Scope")

    def __init__(self, n: dict[str, Any], trunc: bool) -> None:
        self.n, self.trunc = n, trunc

    def ID(self) -> str:
        nid = str(self.n.get("Id", ""))
        return nid[:12] if self.trunc else nid

    def Name(self) -> str:
        return str(self.n.get("Name", ""))

    def Driver(self) -> str:
        return str(self.n.get("Driver", ""))

    def Scope(self) -> str:
        return str(self.n.get("Scope", ""))

    def IPv4(self) -> str:
        return "true" if self.n.get("EnableIPv4", True) else "false"

    def IPv6(self) -> str:
        return "true" if self.n.get("EnableIPv6") else "false"

    def Internal(self) -> str:
        return "true" if self.n.get("Internal") else "false"

    def Labels(self) -> str:
        labels = self.n.get("Labels") or {}
        return ",".join(f"{k}={v}" for k, v in labels.items())

    def CreatedAt(self) -> str:
        return go_time(str(self.n.get("Created", "")))


def network_format(source: str, quiet: bool) -> str:
    """docker's network NewFormat."""
    if source == "table":
        return "{{.ID}}" if quiet else NETWORK_TABLE
    if source == "raw":
        return "network_id: {{.ID}}" if quiet else NETWORK_RAW
    return source


def make_ls(name: str, path: str, usage: str) -> click.Command:
    def run(ctx: click.Context, quiet: bool, no_trunc: bool, format: str,
            filter: tuple[str, ...], args: tuple[str, ...]) -> None:
        check_args(args, path, usage, max=0)
        filters = parse_filters(filter, path, usage)
        nets = globals_of(ctx).client().networks.list(filters)
        nets.sort(key=lambda n: natural_key(str(n.get("Name", ""))))
        rows = [NetworkRow(n, not no_trunc) for n in nets]
        out(render(network_format(format or "table", quiet), rows, NETWORK_HEADER))

    return new_command(name, usage, run, [
        flag(["-q", "--quiet"], "Only display network IDs"),
        flag(["--no-trunc"], "Do not truncate the output"),
        format_option("Format output using a custom template"),
        value(["-f", "--filter"], 'Provide filter values (e.g. "driver=bridge")',
              multiple=True),
    ])


def make_inspect(name: str, path: str, usage: str) -> click.Command:
    def run(ctx: click.Context, format: str, verbose: bool, args: tuple[str, ...]) -> None:
        from berth.cli.commands.inspect import inspect_all

        check_args(args, path, usage, min=1)
        nets = globals_of(ctx).client().networks
        inspect_all(args, format, lambda ref: nets.inspect_raw(ref, verbose))

    return new_command(name, usage, run, [
        value(["-f", "--format"], "Format output using a custom template", default=""),
        flag(["-v", "--verbose"], "Verbose output for diagnostics"),
    ])


def make_rm(name: str, path: str, usage: str) -> click.Command:
    def run(ctx: click.Context, force: bool, args: tuple[str, ...]) -> None:
        import sys

        from berth.cli.errors import describe
        from berth.errdefs import NotFound

        check_args(args, path, usage, min=1)
        nets = globals_of(ctx).client().networks
        failed = False
        for ref in args:
            try:
                nets.remove(ref)
            except NotFound as exc:
                if force:
                    continue
                failed = _report(describe(exc)[0])
                continue
            except Exception as exc:
                failed = _report(describe(exc)[0])
                continue
            out(ref + "\n")
            sys.stdout.flush()
        if failed:
            raise CLIError("exit status 1", 1)  # docker's StatusError prints its Status

    return new_command(name, usage, run, [
        flag(["-f", "--force"], "Do not error if the network does not exist"),
    ])


def _report(message: str) -> bool:
    import sys

    sys.stdout.flush()
    sys.stderr.write(message + "\n")
    return True


def make_prune(name: str, path: str, usage: str) -> click.Command:
    def run(ctx: click.Context, force: bool, filter: tuple[str, ...],
            args: tuple[str, ...]) -> None:
        from berth.cli.commands.image_ops import confirm

        check_args(args, path, usage, max=0)
        filters = parse_filters(filter, path, usage, flag_name="--filter")
        if not force and not confirm(PRUNE_WARNING):
            return  # docker: a quiet cancellation, exit 0
        report = globals_of(ctx).client().networks.prune(filters)
        deleted = report.get("NetworksDeleted") or []
        if deleted:
            out("Deleted Networks:\n" + "".join(f"{n}\n" for n in deleted) + "\n")

    return new_command(name, usage, run, [
        flag(["-f", "--force"], "Do not prompt for confirmation"),
        value(["--filter"], 'Provide filter values (e.g. "until=<timestamp>")', multiple=True),
    ])


def make_connect(name: str, path: str, usage: str) -> click.Command:
    def run(ctx: click.Context, ip: str | None, ip6: str | None, link: tuple[str, ...],
            alias: tuple[str, ...], link_local_ip: tuple[str, ...],
            driver_opt: tuple[str, ...], gw_priority: str | None,
            args: tuple[str, ...]) -> None:
        from berth.cli.commands.netcreate import split_list
        from berth.cli.commands.netendpoint import endpoint_settings

        check_args(args, path, usage, exact=2)
        for lk in link:
            if not _valid_link(lk):
                raise flag_error(f'invalid argument "{lk}" for "--link" flag: bad format for '
                                 f"links: {lk}", path, usage)
        prio = _int_flag(gw_priority, "--gw-priority", path, usage)
        opts: dict[str, str] = {}
        for o in split_list(driver_opt):
            key, sep, val = o.partition("=")
            if not sep or not key.strip():
                raise CLIError("invalid key/value pair format in driver options")
            opts[key.strip()] = val.strip()
        ipam: dict[str, Any] = {}
        if ip:
            ipam["IPv4Address"] = ip
        if ip6:
            ipam["IPv6Address"] = ip6
        lls = split_list(link_local_ip)
        if lls:
            ipam["LinkLocalIPs"] = lls
        ep = endpoint_settings(ipam=ipam, links=list(link) or None,
                               aliases=split_list(alias), driver_opts=opts, gw_priority=prio)
        globals_of(ctx).client().networks.connect(args[0], args[1], ep)

    return new_command(name, usage, run, [
        value(["--ip"], 'IPv4 address (e.g., "172.30.100.104")'),
        value(["--ip6"], 'IPv6 address (e.g., "2001:db8::33")'),
        value(["--link"], "Add link to another container", multiple=True),
        value(["--alias"], "Add network-scoped alias for the container", multiple=True),
        value(["--link-local-ip"], "Add a link-local address for the container", multiple=True),
        value(["--driver-opt"], "driver options for the network", multiple=True),
        value(["--gw-priority"], "Highest gw-priority provides the default gateway. Accepts "
                                 "positive and negative values."),
    ])


def _valid_link(lk: str) -> bool:
    """opts.ValidateLink: ``name`` or ``name:alias``."""
    parts = lk.split(":")
    return 1 <= len(parts) <= 2 and all(parts)


def _int_flag(raw: str | None, name: str, path: str, usage: str) -> int:
    if raw is None:
        return 0
    try:
        return int(raw)
    except ValueError:
        raise flag_error(f'invalid argument "{raw}" for "{name}" flag: strconv.ParseInt: '
                         f'parsing "{raw}": invalid syntax', path, usage) from None


def make_disconnect(name: str, path: str, usage: str) -> click.Command:
    def run(ctx: click.Context, force: bool, args: tuple[str, ...]) -> None:
        check_args(args, path, usage, exact=2)
        globals_of(ctx).client().networks.disconnect(args[0], args[1], force)

    return new_command(name, usage, run, [
        flag(["-f", "--force"], "Force the container to disconnect from a network"),
    ])


def make_create(name: str, path: str, usage: str) -> click.Command:
    import click

    def run(ctx: click.Context, args: tuple[str, ...], **o: Any) -> None:
        from berth.cli.commands.netcreate import create_body

        check_args(args, path, usage, exact=1)
        for lab in o["label"]:
            if not lab.partition("=")[0].strip():
                raise flag_error(f'invalid argument "{lab}" for "--label" flag: invalid label '
                                 f"'{lab}': empty name", path, usage)
        resp = globals_of(ctx).client().networks.create(create_body(args[0], o))
        out(f"{resp.get('Id', '')}\n")

    cmd = new_command(name, usage, run, [
        flag(["--attachable"], "Enable manual container attachment"),
        value(["--aux-address"], "Auxiliary IPv4 or IPv6 addresses used by Network driver",
              multiple=True),
        value(["--config-from"], "The network from which to copy the configuration"),
        flag(["--config-only"], "Create a configuration only network"),
        value(["-d", "--driver"], "Driver to manage the Network", default="bridge"),
        value(["--gateway"], "IPv4 or IPv6 Gateway for the master subnet", multiple=True),
        flag(["--ingress"], "Create swarm routing-mesh network"),
        flag(["--internal"], "Restrict external access to the network"),
        value(["--ip-range"], "Allocate container ip from a sub-range", multiple=True),
        value(["--ipam-driver"], "IP Address Management Driver", default="default"),
        value(["--ipam-opt"], "Set IPAM driver specific options", multiple=True),
        click.Option(["--ipv4/--berth-no-ipv4", "ipv4"], default=None,
                     help="Enable or disable IPv4 address assignment"),
        click.Option(["--ipv6/--berth-no-ipv6", "ipv6"], default=None,
                     help="Enable or disable IPv6 address assignment"),
        value(["--label"], "Set metadata on a network", multiple=True),
        value(["-o", "--opt"], "Set driver specific options", multiple=True),
        value(["--scope"], "Control the network's scope"),
        value(["--subnet"], "Subnet in CIDR format that represents a network segment",
              multiple=True),
    ])
    parse = cmd.parse_args

    def parse_bools(ctx: click.Context, args: list[str]) -> list[str]:
        return parse(ctx, [_bool_form(a, path, usage) for a in args])

    cmd.parse_args = parse_bools  # type: ignore[method-assign]
    return cmd


def _bool_form(arg: str, path: str, usage: str) -> str:
    """pflag's ``--ipv6=false``: rewritten to the hidden negative spelling click knows."""
    for name in ("--ipv4", "--ipv6"):
        if arg.startswith(name + "="):
            raw = arg[len(name) + 1:]
            if raw in ("1", "t", "T", "TRUE", "true", "True"):
                return name
            if raw in ("0", "f", "F", "FALSE", "false", "False"):
                return "--berth-no-" + name[2:]
            raise flag_error(f'invalid argument "{raw}" for "{name}" flag: strconv.ParseBool: '
                             f'parsing "{raw}": invalid syntax', path, usage)
    return arg
