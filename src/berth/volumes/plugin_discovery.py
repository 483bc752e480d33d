"""Finding Docker volume plugins (v1, "legacy" plugins) the way dockerd does.

A plugin named ``NAME`` is a unix socket ``<dir>/NAME.sock`` (or ``<dir>/NAME/NAME.sock``),
or a spec file ``NAME.spec`` (one URL: ``unix:///path`` or ``tcp://host:port``) or
``NAME.json`` (``{"Name", "Addr", "TLSConfig"}``). The directories are constructor
arguments (docker's: /run/docker/plugins, /etc/docker/plugins, /usr/lib/docker/plugins);
each is searched for all three forms, in order.
"""

from __future__ import annotations

import json
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from berth.errdefs import InvalidArgument, NotFound

DEFAULT_DIRS = (Path("/run/docker/plugins"), Path("/etc/docker/plugins"),
                Path("/usr/lib/docker/plugins"))


@dataclass(frozen=True)
class Address:
    """Where a plugin listens: a unix socket path, or host and port over TCP."""

    unix: str = ""
    host: str = ""
    port: int = 0


def _candidates(base: Path, name: str, ext: str) -> list[Path]:
    return [base / f"{name}{ext}", base / name / f"{name}{ext}"]


def find(dirs: Sequence[Path], name: str) -> Address:
    """The plugin's address; NotFound ``plugin "NAME" not found`` as docker says."""
    if not name or "/" in name or name in (".", ".."):
        raise NotFound(f'plugin "{name}" not found')
    for base in dirs:
        for p in _candidates(base, name, ".sock"):
            try:
                if stat.S_ISSOCK(p.stat().st_mode):
                    return Address(unix=str(p))
            except OSError:
                continue
    for base in dirs:
        for ext in (".spec", ".json"):
            for p in _candidates(base, name, ext):
                if p.is_file():
                    return _read_spec(p)
    raise NotFound(f'plugin "{name}" not found')


def scan(dirs: Sequence[Path]) -> list[str]:
    """Names of every plugin present (sockets and spec files), each once."""
    names: list[str] = []
    for base in dirs:
        if not base.is_dir():
            continue
        for p in sorted(base.rglob("*")):
            try:
                mode = p.stat().st_mode
            except OSError:
                continue
            wanted = (stat.S_ISSOCK(mode) and p.suffix == ".sock") or \
                (stat.S_ISREG(mode) and p.suffix in (".spec", ".json"))
            if wanted and p.stem not in names:
                names.append(p.stem)
    return names


def _read_spec(path: Path) -> Address:
    try:
        text = path.read_text().strip()
        addr = str(json.loads(text).get("Addr", "")) if path.suffix == ".json" else text
        if path.suffix == ".json" and (json.loads(text).get("TLSConfig") or {}).get("CAFile"):
            raise InvalidArgument(f"{path}: plugins over TLS are not supported by berth")
    except (OSError, ValueError, AttributeError) as e:
        raise InvalidArgument(f"{path}: cannot read plugin spec: {e}") from None
    return parse_address(addr, path)


def parse_address(addr: str, origin: Path) -> Address:
    scheme, sep, rest = addr.partition("://")
    if not sep:
        raise InvalidArgument(f"{origin}: Unknown protocol")
    if scheme == "unix":
        return Address(unix=rest)
    if scheme in ("tcp", "http"):
        host, _, port = rest.rstrip("/").rpartition(":")
        if host and port.isdigit():
            return Address(host=host.strip("[]"), port=int(port))
    raise InvalidArgument(f"{origin}: unsupported plugin address {addr!r}")
