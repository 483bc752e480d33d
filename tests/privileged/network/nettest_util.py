"""Helpers for the network tests: a TCP echo server inside a namespace, a client, a
"remote host" namespace wired to the test's host namespace, and kernel listings."""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from berth.network import links, netns
from berth.network.rtnl import Rtnl


class Server:
    """Accepts TCP connections on ``port`` inside ``ns`` and answers the peer's address."""

    def __init__(self, ns: str, port: int, family: int = socket.AF_INET) -> None:
        where = "::" if family == socket.AF_INET6 else "0.0.0.0"
        self.sock = netns.run_in(ns, lambda: socket.create_server((where, port),
                                                                  family=family))
        self.sock.settimeout(0.2)
        self.stop = False
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        while not self.stop:
            try:
                conn, peer = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            with conn:
                conn.sendall(f"hello {peer[0]}".encode())

    def close(self) -> None:
        self.stop = True
        self.thread.join()
        self.sock.close()


@contextlib.contextmanager
def serving(ns: str, port: int = 80, family: int = socket.AF_INET) -> Iterator[Server]:
    srv = Server(ns, port, family)
    try:
        yield srv
    finally:
        srv.close()


def reach(ns: str | None, ip: str, port: int, timeout: float = 1.5) -> str | None:
    """The server's answer, or None when it cannot be reached."""

    def body() -> str | None:
        try:
            with socket.create_connection((ip, port), timeout=timeout) as s:
                return s.recv(100).decode()
        except OSError:
            return None

    return netns.run_in(ns, body)


def wait_for(cond: Callable[[], Any], timeout: float = 5.0) -> Any:
    end = time.monotonic() + timeout
    while True:
        got = cond()
        if got or time.monotonic() > end:
            return got
        time.sleep(0.05)


def wire_remote(host: str, remote: str, host_ip: str = "10.250.0.1",
                remote_ip: str = "10.250.0.2") -> None:
    """A veth between the host namespace and a "remote host" namespace (a /24)."""

    def host_side() -> None:
        with Rtnl() as nl:
            links.add_veth_plain(nl, "rh0", remote, "eth0")
            idx = nl.index("rh0")
            assert idx is not None
            nl.add_addr(idx, host_ip, 24)
            nl.set_link(idx, up=True)

    netns.run_in(host, host_side)
    links.configure_inside(remote, "eth0", [(remote_ip, 24)], [])


def link_names(ns: str) -> list[str]:
    def body() -> list[str]:
        with Rtnl() as nl:
            return [name for _, name, _ in nl.links()]

    return netns.run_in(ns, body)


def nft(ns: str, *args: str, stdin: str | None = None) -> str:
    res = netns.run_in(ns, lambda: subprocess.run(["nft", *args], input=stdin,
                                                  capture_output=True, text=True, check=True))
    return res.stdout


def nft_json(ns: str, *args: str) -> list[dict[str, Any]]:
    return list(json.loads(nft(ns, "-j", *args) or "{}").get("nftables", []))
