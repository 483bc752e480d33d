"""``info``'s text layout (docker's prettyPrintInfo), line for line."""

from __future__ import annotations

from typing import Any

from berth import __version__
from berth._util.units import bytes_size
from berth.cli.context import out
from berth.cli.format.govalues import go_json, go_str
from berth.cli.format.listing import FormatError
from berth.cli.format.template import Template, TemplateError
from berth.cli.usage import CLIError
from berth.client import APIClient
from berth.errdefs import BerthError


def _ln(lines: list[str], label: str, val: Any) -> None:
    lines.append(f"{label} {go_str(val)}")


def _ln_nonempty(lines: list[str], label: str, val: Any) -> None:
    if val not in ("", None):
        _ln(lines, label, val)


def client_section(debug: bool) -> dict[str, Any]:
    return {"Version": __version__, "Context": "default", "Debug": debug, "Plugins": [],
            "Warnings": None}


def render_info(client: APIClient, fmt: str, debug: bool) -> str:
    """The whole ``info`` output; a daemon error is raised after the client part."""
    info: dict[str, Any] | None = None
    error: BerthError | None = None
    try:
        info = client.system.info()
    except BerthError as exc:
        error = exc
    data = {**(info or {}), "ClientInfo": client_section(debug)}
    if fmt:
        return _formatted(fmt, data)
    lines = ["Client:", f" Version:    {__version__}", " Context:    default",
             f" Debug Mode: {go_str(debug)}", "", "Server:"]
    if info is None:
        assert error is not None
        from berth.cli.errors import describe

        out("\n".join(lines) + "\n")
        message = describe(error)[0]
        raise CLIError(f"ERROR: {message}\nerrors pretty printing info")
    server_lines(lines, info, debug)
    return "\n".join(lines) + "\n"


def _formatted(fmt: str, data: dict[str, Any]) -> str:
    if fmt == "json":
        return go_json(data) + "\n"
    try:
        return Template(fmt).execute(data) + "\n"
    except TemplateError as exc:
        raise FormatError(f"template parsing error: {exc}") from None


def server_lines(lines: list[str], info: dict[str, Any], debug: bool) -> None:
    """prettyPrintServerInfo."""
    g = info.get
    _ln(lines, " Containers:", g("Containers", 0))
    _ln(lines, "  Running:", g("ContainersRunning", 0))
    _ln(lines, "  Paused:", g("ContainersPaused", 0))
    _ln(lines, "  Stopped:", g("ContainersStopped", 0))
    _ln(lines, " Images:", g("Images", 0))
    _ln_nonempty(lines, " Server Version:", g("ServerVersion"))
    _ln_nonempty(lines, " Storage Driver:", g("Driver"))
    lines += [f"  {k}: {v}" for k, v in g("DriverStatus") or []]
    lines += [f" {k}: {v}" for k, v in g("SystemStatus") or []]
    _ln_nonempty(lines, " Logging Driver:", g("LoggingDriver"))
    _ln_nonempty(lines, " Cgroup Driver:", g("CgroupDriver"))
    _ln_nonempty(lines, " Cgroup Version:", g("CgroupVersion"))
    plugins = g("Plugins") or {}
    lines.append(" Plugins:")
    _ln(lines, "  Volume:", " ".join(plugins.get("Volume") or []))
    _ln(lines, "  Network:", " ".join(plugins.get("Network") or []))
    if plugins.get("Authorization"):
        _ln(lines, "  Authorization:", " ".join(plugins["Authorization"]))
    _ln(lines, "  Log:", " ".join(plugins.get("Log") or []))
    _ln(lines, " Swarm:", (g("Swarm") or {}).get("LocalNodeState", ""))
    if g("Runtimes"):
        _ln(lines, " Runtimes:", " ".join(g("Runtimes") or {}))
        _ln(lines, " Default Runtime:", g("DefaultRuntime", ""))
    if g("OSType") == "linux":
        _linux_lines(lines, info)
    _host_lines(lines, info, debug)


def _linux_lines(lines: list[str], info: dict[str, Any]) -> None:
    g = info.get
    _ln(lines, " Init Binary:", g("InitBinary", ""))
    _ln(lines, " containerd version:", (g("ContainerdCommit") or {}).get("ID", ""))
    _ln(lines, " runc version:", (g("RuncCommit") or {}).get("ID", ""))
    _ln(lines, " init version:", (g("InitCommit") or {}).get("ID", ""))
    if g("SecurityOptions"):
        lines.append(" Security Options:")
        for opt in g("SecurityOptions") or []:
            fields = dict(kv.partition("=")[::2] for kv in opt.split(","))
            lines.append("  " + fields.get("name", ""))
            if "profile" in fields:
                lines.append("   Profile: " + fields["profile"])


def _host_lines(lines: list[str], info: dict[str, Any], debug: bool) -> None:
    g = info.get
    for label, key in ((" Kernel Version:", "KernelVersion"),
                       (" Operating System:", "OperatingSystem"), (" OSType:", "OSType"),
                       (" Architecture:", "Architecture")):
        _ln_nonempty(lines, label, g(key))
    _ln(lines, " CPUs:", g("NCPU", 0))
    _ln(lines, " Total Memory:", bytes_size(g("MemTotal") or 0))
    _ln_nonempty(lines, " Name:", g("Name"))
    _ln_nonempty(lines, " ID:", g("ID"))
    _ln(lines, " Docker Root Dir:", g("DockerRootDir", ""))
    _ln(lines, " Debug Mode:", bool(g("Debug")))
    if g("Debug") or debug:
        _ln(lines, "  File Descriptors:", g("NFd", 0))
        _ln(lines, "  Goroutines:", g("NGoroutines", 0))
        _ln(lines, "  System Time:", g("SystemTime", ""))
        _ln(lines, "  EventsListeners:", g("NEventsListener", 0))
    for label, key in ((" HTTP Proxy:", "HttpProxy"), (" HTTPS Proxy:", "HttpsProxy"),
                       (" No Proxy:", "NoProxy"), (" Username:", "Username")):
        _ln_nonempty(lines, label, g(key))
    if g("Labels"):
        lines.append(" Labels:")
        lines += ["  " + lbl for lbl in g("Labels") or []]
    _ln(lines, " Experimental:", bool(g("ExperimentalBuild")))
    _registry_lines(lines, g("RegistryConfig"))
    _ln(lines, " Live Restore Enabled:", bool(g("LiveRestoreEnabled")))
    if g("ProductLicense"):
        _ln(lines, " Product License:", g("ProductLicense"))
    if g("DefaultAddressPools"):
        lines.append(" Default Address Pools:")
        pools = g("DefaultAddressPools") or []
        lines += [f"   Base: {p['Base']}, Size: {p['Size']}" for p in pools]
    lines.append("")


def _registry_lines(lines: list[str], reg: dict[str, Any] | None) -> None:
    if not reg:
        return
    cidrs, index = reg.get("InsecureRegistryCIDRs") or [], reg.get("IndexConfigs") or {}
    if cidrs or index:
        lines.append(" Insecure Registries:")
        lines += ["  " + c["Name"] for c in index.values() if not c.get("Secure")]
        lines += ["  " + c for c in cidrs]
    if reg.get("Mirrors"):
        lines.append(" Registry Mirrors:")
        lines += ["  " + m for m in reg["Mirrors"]]
