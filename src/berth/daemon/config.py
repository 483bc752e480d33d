"""``berthd`` configuration: dockerd's flags plus a daemon.json, merged as dockerd does.

A directive set both as a flag and in the file is an error, and so is an unknown key
in the file; the messages are dockerd's. Defaults apply last. Roots are private to an
instance, so several daemons with different roots and sockets can run side by side.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from berth import errdefs

DEFAULT_HOST = "unix:///run/berth/berth.sock"
DEFAULT_CONFIG_FILE = Path("/etc/berth/daemon.json")
LOG_LEVELS = ("trace", "debug", "info", "warn", "warning", "error", "fatal", "panic")
STORAGE_DRIVERS = ("", "overlay2", "overlay", "native")

# daemon.json key → (argparse dest, expected JSON type)
FILE_KEYS: dict[str, tuple[str, type | tuple[type, ...]]] = {
    "hosts": ("hosts", list),
    "data-root": ("data_root", str),
    "exec-root": ("exec_root", str),
    "pidfile": ("pidfile", str),
    "log-level": ("log_level", str),
    "debug": ("debug", bool),
    "labels": ("labels", list),
    "storage-driver": ("storage_driver", str),
    "bip": ("bip", str),
    "mtu": ("mtu", int),
    "default-address-pools": ("default_address_pools", list),
}


@dataclass
class DaemonConfig:
    hosts: list[str] = field(default_factory=lambda: [DEFAULT_HOST])
    data_root: Path = Path("/var/lib/berth")
    exec_root: Path = Path("/run/berth")
    pidfile: Path | None = None
    log_level: str = "info"
    debug: bool = False
    labels: list[str] = field(default_factory=list)
    storage_driver: str = ""
    bip: str = ""  # default bridge gateway/prefix, e.g. 172.30.0.1/16
    mtu: int = 1500
    default_address_pools: list[Any] = field(default_factory=list)  # [{"base", "size"}]

    @property
    def pid_path(self) -> Path:
        return self.pidfile or self.exec_root / "berthd.pid"


def parser() -> argparse.ArgumentParser:
    """dockerd-style flags; every default is None so explicit flags can be detected."""
    p = argparse.ArgumentParser(prog="berthd", description="berth's container engine daemon")
    p.add_argument("-H", "--host", dest="hosts", action="append",
                   help="daemon socket(s) to listen on (unix:///path, tcp://host:port)")
    p.add_argument("--data-root", dest="data_root", help="root of persistent state")
    p.add_argument("--exec-root", dest="exec_root", help="root of execution state")
    p.add_argument("-p", "--pidfile", dest="pidfile", help="path to the pid file")
    p.add_argument("-l", "--log-level", dest="log_level", choices=LOG_LEVELS)
    p.add_argument("-D", "--debug", dest="debug", action="store_const", const=True)
    p.add_argument("-s", "--storage-driver", dest="storage_driver")
    p.add_argument("--label", dest="labels", action="append", help="key=value daemon label")
    p.add_argument("--bip", dest="bip", help="default bridge address (gateway/prefix)")
    p.add_argument("--mtu", dest="mtu", type=int, help="default MTU of container networks")
    p.add_argument("--default-address-pool", dest="default_address_pools", action="append",
                   type=_pool, help="base=CIDR,size=N: a pool for new networks' subnets")
    p.add_argument("--config-file", dest="config_file", help="daemon.json to read")
    return p


def _pool(text: str) -> dict[str, Any]:
    """dockerd's ``--default-address-pool base=10.10.0.0/16,size=24``."""
    out: dict[str, Any] = {}
    for part in text.split(","):
        k, _, v = part.partition("=")
        out[k.strip()] = int(v) if k.strip() == "size" else v.strip()
    if "base" not in out:
        raise argparse.ArgumentTypeError(f"invalid address pool: {text}")
    return out


def _read_file(path: Path, explicit: bool) -> dict[str, Any]:
    if not path.exists():
        if explicit:
            raise errdefs.InvalidArgument(f"unable to configure the berth daemon with file "
                                          f"{path}: open {path}: no such file or directory")
        return {}
    try:
        doc = json.loads(path.read_text() or "{}")
    except (ValueError, OSError) as exc:
        raise errdefs.InvalidArgument(
            f"unable to configure the berth daemon with file {path}: {exc}") from None
    if not isinstance(doc, dict):
        raise errdefs.InvalidArgument(
            f"unable to configure the berth daemon with file {path}: not a JSON object")
    return doc


def _check_file(doc: dict[str, Any], flags: argparse.Namespace, path: Path) -> None:
    """Unknown keys, wrong types and flag/file conflicts, with dockerd's wording."""
    unknown = sorted(k for k in doc if k not in FILE_KEYS)
    if unknown:
        raise errdefs.InvalidArgument(
            f"unable to configure the berth daemon with file {path}: the following directives "
            f"don't match any configuration option: {', '.join(unknown)}")
    conflicts = []
    for key, value in doc.items():
        dest, typ = FILE_KEYS[key]
        item = dict if key == "default-address-pools" else str
        bad_list = isinstance(value, list) and not all(isinstance(v, item) for v in value)
        if not isinstance(value, typ) or bad_list:
            raise errdefs.InvalidArgument(
                f"unable to configure the berth daemon with file {path}: "
                f"invalid value for {key}: {json.dumps(value)}")
        flag = getattr(flags, dest)
        if flag is not None:
            conflicts.append(f"{key}: (from flag: {flag}, from file: {value})")
    if conflicts:
        raise errdefs.InvalidArgument(
            f"unable to configure the berth daemon with file {path}: the following directives "
            f"are specified both as a flag and in the configuration file: "
            f"{', '.join(conflicts)}")


def load(argv: list[str]) -> DaemonConfig:
    """Flags, then daemon.json, then defaults; validated."""
    ns = parser().parse_args(argv)
    path = Path(ns.config_file) if ns.config_file else DEFAULT_CONFIG_FILE
    doc = _read_file(path, explicit=ns.config_file is not None)
    _check_file(doc, ns, path)
    merged = {dest: getattr(ns, dest) for dest, _ in FILE_KEYS.values()}
    for key, value in doc.items():
        merged[FILE_KEYS[key][0]] = value
    cfg = DaemonConfig()
    for dest, value in merged.items():
        if value is not None:
            setattr(cfg, dest, Path(value) if dest.endswith(("root", "pidfile")) else value)
    validate(cfg)
    return cfg


def validate(cfg: DaemonConfig) -> None:
    if cfg.log_level not in LOG_LEVELS:
        raise errdefs.InvalidArgument(f"unable to parse logging level: {cfg.log_level}")
    if cfg.storage_driver not in STORAGE_DRIVERS:
        raise errdefs.InvalidArgument(
            f"unknown storage driver {cfg.storage_driver!r}: use overlay2, overlay or native")
    for label in cfg.labels:
        if "=" not in label or label.startswith("="):
            raise errdefs.InvalidArgument(f"bad attribute format: {label}")
    if not cfg.hosts:
        raise errdefs.InvalidArgument("no hosts to listen on")
