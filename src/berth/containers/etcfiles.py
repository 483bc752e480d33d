"""The /etc/hostname, /etc/hosts and /etc/resolv.conf a container gets (bind-mounted).

resolv.conf starts from the host's with loopback nameservers removed (they mean nothing
inside a new network namespace); with none left, docker's public fallbacks are used.
``Dns``/``DnsSearch``/``DnsOptions`` replace the respective lines. With host networking
the host's files are used as they are, as docker does.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Any

FALLBACK_NS = ["8.8.8.8", "8.8.4.4", "2001:4860:4860::8888", "2001:4860:4860::8844"]
HOSTS_DEFAULT = ("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
                 "fe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\n"
                 "ff02::2\tip6-allrouters\n")


def _is_loopback(addr: str) -> bool:
    try:
        return ipaddress.ip_address(addr.split("%")[0]).is_loopback
    except ValueError:
        return False


def resolv_conf(host_text: str, hc: dict[str, Any]) -> str:
    host_net = hc.get("NetworkMode") == "host"
    ns, search, options, other = [], [], [], []
    for line in host_text.splitlines():
        f = line.split()
        if not f or f[0].startswith(("#", ";")):
            continue
        if f[0] == "nameserver" and len(f) > 1:
            if host_net or not _is_loopback(f[1]):
                ns.append(f[1])
        elif f[0] in ("search", "domain"):
            search = f[1:]
        elif f[0] == "options":
            options += f[1:]
        else:
            other.append(line)
    ns = list(hc.get("Dns") or ns) or FALLBACK_NS
    search = list(hc.get("DnsSearch") or search)
    options = list(hc.get("DnsOptions") or options)
    out = [f"nameserver {n}" for n in ns]
    if search and search != ["."]:
        out.append("search " + " ".join(search))
    if options:
        out.append("options " + " ".join(options))
    return "\n".join(out + other) + "\n"


def hosts(hostname: str, domainname: str, hc: dict[str, Any], host_text: str) -> str:
    if hc.get("NetworkMode") == "host":
        base = host_text if host_text.endswith("\n") or not host_text else host_text + "\n"
    else:
        fqdn = f"{hostname}.{domainname}" if domainname else hostname
        names = f"{fqdn} {hostname}" if domainname else hostname
        base = HOSTS_DEFAULT + f"127.0.0.1\t{names}\n"
    for extra in hc.get("ExtraHosts") or []:
        name, _, ip = extra.partition(":")
        if "=" in extra and not ip:
            name, _, ip = extra.partition("=")
        base += f"{ip}\t{name}\n"
    return base


def write_all(ctr_dir: Path, rec: dict[str, Any], etc_root: Path = Path("/etc")) -> dict[str, str]:
    """Write the three files into the container dir; {container path: host path}."""
    cfg, hc = rec["Config"], rec["HostConfig"]
    host_resolv = _read(etc_root / "resolv.conf")
    host_hosts = _read(etc_root / "hosts")
    files = {
        "/etc/resolv.conf": ("resolv.conf", resolv_conf(host_resolv, hc)),
        "/etc/hostname": ("hostname", (cfg.get("Hostname") or "") + "\n"),
        "/etc/hosts": ("hosts", hosts(cfg.get("Hostname") or "", cfg.get("Domainname") or "",
                                      hc, host_hosts)),
    }
    out = {}
    for dst, (name, text) in files.items():
        replace_file(ctr_dir / name, text.encode(), 0o644)
        out[dst] = str(ctr_dir / name)
    return out


def replace_file(path: Path, data: bytes, mode: int) -> None:
    """temp + rename, *without* fsync: for files made again before every start (these
    three, the bundle's config.json). A reader sees the old file or the new one; after a
    kill -9 the page cache still holds them, and after a power loss nothing runs that
    uses them: the next start writes them anew. (Each fsync here cost ~1.5 ms of every
    ``docker run``: docs/design/containers-service.md, "Start-up latency".)"""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, mode)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)
    os.rename(tmp, path)


def _read(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except OSError:
        return ""
