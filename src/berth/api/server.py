"""Serving the API: parse ``-H`` hosts and listen on unix sockets (and plain tcp).

A stale unix socket left by a crashed daemon is replaced; a live one (something
answers on it) is an error, so two daemons never share a socket. Sockets are mode
0660 and removed again on shutdown.
"""

from __future__ import annotations

import contextlib
import os
import socket
import stat
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web

from berth import errdefs


@dataclass(frozen=True)
class Host:
    scheme: str  # "unix" | "tcp"
    address: str  # socket path, or host
    port: int = 0

    def __str__(self) -> str:
        if self.scheme == "unix":
            return f"unix://{self.address}"
        return f"tcp://{self.address}:{self.port}"


def parse_host(raw: str, default_unix: str = "/run/berth/berth.sock") -> Host:
    """``unix:///path`` (``unix://`` = default), ``tcp://host:port``; others refused."""
    if raw.startswith("/"):
        raw = "unix://" + raw
    parts = urlsplit(raw)
    if parts.scheme == "unix":
        path = (parts.netloc + parts.path) or default_unix
        if len(os.fsencode(path)) >= 108:
            raise errdefs.InvalidArgument(f"unix socket path too long (max 107 bytes): {path}")
        return Host("unix", path)
    if parts.scheme == "tcp":
        try:
            port = parts.port or 2375
        except ValueError:
            raise errdefs.InvalidArgument(f"invalid tcp address: {raw}") from None
        return Host("tcp", parts.hostname or "127.0.0.1", port)
    raise errdefs.InvalidArgument(f"invalid host {raw!r}: use unix:///path or tcp://host:port")


def _clear_stale_socket(path: str) -> None:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    if not stat.S_ISSOCK(st.st_mode):
        raise errdefs.Conflict(f"{path} exists and is not a socket")
    with socket.socket(socket.AF_UNIX) as probe:
        try:
            probe.connect(path)
        except OSError:
            os.unlink(path)
            return
    raise errdefs.Conflict(f"{path} is in use by another daemon")


async def listen(runner: web.AppRunner, hosts: list[Host]) -> list[web.BaseSite]:
    """Start one site per host (runner must be set up)."""
    sites: list[web.BaseSite] = []
    for host in hosts:
        site: web.BaseSite
        if host.scheme == "unix":
            Path(host.address).parent.mkdir(parents=True, exist_ok=True)
            _clear_stale_socket(host.address)
            site = web.UnixSite(runner, host.address)
            await site.start()
            os.chmod(host.address, 0o660)
        else:
            site = web.TCPSite(runner, host.address, host.port)
            await site.start()
        sites.append(site)
    return sites


def remove_sockets(hosts: list[Host]) -> None:
    for host in hosts:
        if host.scheme == "unix":
            with contextlib.suppress(FileNotFoundError):
                os.unlink(host.address)
