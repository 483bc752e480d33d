"""A minimal warm Engine API client: raw HTTP/1.1 over a unix socket, one kept-alive connection.

What a long-lived program (an orchestrator, docker-py) pays per call, without any CLI start-up.
The connection is reopened when the server closes it.
"""

from __future__ import annotations

import http.client
import json
import socket
from pathlib import Path
from typing import Any


class ApiError(RuntimeError):
    """The daemon answered with a status >= 400."""


class UnixHTTPConnection(http.client.HTTPConnection):
    """http.client over an AF_UNIX socket."""

    def __init__(self, path: Path, timeout: float = 60.0) -> None:
        super().__init__("localhost", timeout=timeout)
        self.path = str(path)

    def connect(self) -> None:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(self.timeout)
        s.connect(self.path)
        self.sock = s


class Api:
    """JSON calls on one Engine API socket."""

    def __init__(self, sock: Path, version: str = "v1.41") -> None:
        self.sock = sock
        self.prefix = f"/{version}" if version else ""
        self.conn = UnixHTTPConnection(sock)

    def call(self, method: str, path: str, body: Any = None) -> Any:
        """``method path`` with an optional JSON body; the decoded JSON answer (or None)."""
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if data is not None else {}
        for attempt in (0, 1):
            try:
                self.conn.request(method, self.prefix + path, body=data, headers=headers)
                resp = self.conn.getresponse()
                raw = resp.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.conn.close()  # the server dropped the kept-alive connection: once more
                if attempt:
                    raise
        if resp.will_close:
            self.conn.close()
        if resp.status >= 400:
            raise ApiError(f"{method} {path}: {resp.status} {raw.decode(errors='replace')[:200]}")
        return json.loads(raw) if raw.strip() else None

    def run_true(self, image: str = "busybox") -> int:
        """create + start + wait + remove of ``image true`` (network none); the exit code."""
        made = self.call("POST", "/containers/create",
                         {"Image": image, "Cmd": ["true"],
                          "HostConfig": {"NetworkMode": "none"}})
        cid = made["Id"]
        try:
            self.call("POST", f"/containers/{cid}/start")
            code = int(self.call("POST", f"/containers/{cid}/wait")["StatusCode"])
        finally:
            self.call("DELETE", f"/containers/{cid}?force=1")
        return code

    def close(self) -> None:
        """Drop the connection."""
        self.conn.close()
