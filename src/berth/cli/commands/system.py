"""``version`` and ``info``: docker's Client:/Server: layouts over /version and /info."""

from __future__ import annotations

import platform
import sys
from datetime import datetime
from typing import Any

import click

from berth import __version__
from berth.cli.commands._common import globals_of, new_command, value
from berth.cli.context import out
from berth.cli.format.govalues import Context, go_str
from berth.cli.format.tabwriter import tabwrite
from berth.cli.format.template import Template, TemplateError
from berth.cli.usage import CLIError, check_args
from berth.client import CLIENT_API_VERSION
from berth.errdefs import BerthError

VERSION_TEMPLATE = """{{with .Client -}}
Client:{{if ne .Platform nil}}{{if ne .Platform.Name ""}} {{.Platform.Name}}{{end}}{{end}}
 Version:\t{{.Version}}
 API version:\t{{.APIVersion}}{{if ne .APIVersion .DefaultAPIVersion}} \
(downgraded from {{.DefaultAPIVersion}}){{end}}
 Go version:\t{{.GoVersion}}
 Git commit:\t{{.GitCommit}}
 Built:\t{{.BuildTime}}
 OS/Arch:\t{{.Os}}/{{.Arch}}
 Context:\t{{.Context}}
{{- end}}

{{- if ne .Server nil}}{{with .Server}}

Server:{{if ne .Platform.Name ""}} {{.Platform.Name}}{{end}}
 {{- range $component := .Components}}
 {{$component.Name}}:
  {{- if eq $component.Name "Engine" }}
  Version:\t{{.Version}}
  API version:\t{{index .Details "ApiVersion"}} (minimum version {{index .Details "MinAPIVersion"}})
  Go version:\t{{index .Details "GoVersion"}}
  Git commit:\t{{index .Details "GitCommit"}}
  Built:\t{{index .Details "BuildTime"}}
  OS/Arch:\t{{index .Details "Os"}}/{{index .Details "Arch"}}
  Experimental:\t{{index .Details "Experimental"}}
  {{- else }}
  Version:\t{{$component.Version}}
  {{- $detailsOrder := getDetailsOrder $component}}
  {{- range $key := $detailsOrder}}
  {{$key}}:\t{{index $component.Details $key}}
   {{- end}}
  {{- end}}
 {{- end}}
 {{- end}}{{- end}}"""

_ARCH = {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm", "i686": "386"}


def go_arch() -> str:
    machine = platform.machine()
    return _ARCH.get(machine, machine)


def reformat_date(value: str) -> str:
    """RFC 3339 build times → Go's ANSIC layout (``Wed May  1 10:00:00 2024``)."""
    try:
        text = value.replace("Z", "+00:00")
        if "." in text:  # Python takes at most 6 fraction digits
            head, _, rest = text.partition(".")
            digits = "".join(c for c in rest if c.isdigit())
            text = head + "." + digits[:6].ljust(6, "0") + rest[len(digits):]
        when = datetime.fromisoformat(text)
    except ValueError:
        return value
    return f"{when:%a %b} {when.day:2d} {when:%H:%M:%S %Y}"


class ClientVersion(Context):
    """docker's clientVersion: Go field names for templates, JSON tags for ``json``."""

    def __init__(self, api_version: str) -> None:
        self.Platform = None
        self.Version = __version__
        self.APIVersion = api_version
        self.DefaultAPIVersion = CLIENT_API_VERSION
        self.GitCommit = "unknown"
        self.GoVersion = "python" + platform.python_version()
        self.Os = "linux" if sys.platform.startswith("linux") else sys.platform
        self.Arch = go_arch()
        self.BuildTime = ""
        self.Context = "default"

    def to_json(self) -> dict[str, Any]:
        out = {"Version": self.Version, "ApiVersion": self.APIVersion,
               "DefaultAPIVersion": self.DefaultAPIVersion, "GitCommit": self.GitCommit,
               "GoVersion": self.GoVersion, "Os": self.Os, "Arch": self.Arch,
               "BuildTime": self.BuildTime, "Context": self.Context}
        return {k: v for k, v in out.items() if v or k == "Context"}


def server_version(sv: dict[str, Any]) -> dict[str, Any]:
    """Fill in the Engine component from top-level fields when the daemon omits it."""
    comps = sv.setdefault("Components", []) or []
    sv["Components"] = comps
    sv.setdefault("Platform", {"Name": ""})
    for comp in comps:
        if comp.get("Name") == "Engine" and "BuildTime" in (comp.get("Details") or {}):
            comp["Details"]["BuildTime"] = reformat_date(comp["Details"]["BuildTime"])
    if not any(c.get("Name") == "Engine" for c in comps):
        comps.append({"Name": "Engine", "Version": sv.get("Version", ""), "Details": {
            "ApiVersion": sv.get("ApiVersion", ""), "MinAPIVersion": sv.get("MinAPIVersion", ""),
            "GitCommit": sv.get("GitCommit", ""), "GoVersion": sv.get("GoVersion", ""),
            "Os": sv.get("Os", ""), "Arch": sv.get("Arch", ""),
            "BuildTime": reformat_date(sv.get("BuildTime", "")),
            "Experimental": go_str(bool(sv.get("Experimental")))}})
    return sv


def make_version(name: str, path: str, usage: str) -> click.Command:
    def run(ctx: click.Context, format: str, args: tuple[str, ...]) -> None:
        check_args(args, path, usage, max=0)
        src = {"": VERSION_TEMPLATE, "json": "{{json .}}"}.get(format, format)
        funcs = {"getDetailsOrder": lambda c: sorted((c.get("Details") or {}).keys())}
        try:
            tmpl = Template(src, funcs={**_base_funcs(), **funcs})
        except TemplateError as exc:
            raise CLIError(f"template parsing error: {str(exc).replace(': :', ': version:', 1)}",
                           64) from None
        client = globals_of(ctx).client()
        data: dict[str, Any] = {"Client": None, "Server": None}
        failure: BaseException | None = None
        try:
            data["Server"] = server_version(client.system.version())
        except BerthError as exc:
            failure = exc
        data["Client"] = ClientVersion(client.api_version or CLIENT_API_VERSION)
        try:
            text = tmpl.execute(data)
        except TemplateError as exc:
            raise CLIError(f"template parsing error: {exc}") from None
        out(tabwrite(text + "\n", minwidth=20, padding=1))
        if failure is not None:
            raise failure

    return new_command(name, usage, run, [value(["-f", "--format"],
                                                "Format output using a custom template",
                                                default="")])


def _base_funcs() -> dict[str, Any]:
    from berth.cli.format.gofuncs import FUNCS

    return dict(FUNCS)


def make_info(name: str, path: str, usage: str) -> click.Command:
    def run(ctx: click.Context, format: str, args: tuple[str, ...]) -> None:
        from berth.cli.commands.info import render_info

        check_args(args, path, usage, max=0)
        g = globals_of(ctx)
        out(render_info(g.client(), format, g.debug))

    return new_command(name, usage, run, [value(["-f", "--format"],
                                                "Format output using a custom template",
                                                default="")])
