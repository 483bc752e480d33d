"""The warm Engine API client against a fake daemon on a unix socket; the warm runtime helper."""

from __future__ import annotations

import io
import json
import socketserver
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from bench.api import Api, ApiError
from bench.warm_runtime import serve


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    calls: list[str] = []

    def address_string(self) -> str:
        return "unix"

    def log_message(self, *args: Any) -> None:
        pass

    def _answer(self, status: int, body: Any = None) -> None:
        raw = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def _route(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        self.calls.append(f"{self.command} {self.path}")
        if self.path.endswith("/containers/create"):
            assert body is not None and body["Cmd"] == ["true"]
            assert body["HostConfig"]["NetworkMode"] == "none"
            self._answer(201, {"Id": "c1", "Warnings": []})
        elif self.path.endswith("/wait"):
            self._answer(200, {"StatusCode": 0})
        elif self.path.endswith("/missing"):
            self._answer(404, {"message": "no such thing"})
        else:
            self._answer(204)

    do_GET = do_POST = do_DELETE = _route


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


@pytest.fixture
def sock(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "d.sock"
    server = Server(str(path), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Handler.calls = []
    yield path
    server.shutdown()
    server.server_close()


def test_run_true_makes_four_calls_on_one_connection(sock: Path) -> None:
    api = Api(sock)
    assert api.run_true() == 0
    assert api.run_true() == 0
    assert Handler.calls[:4] == ["POST /v1.41/containers/create", "POST /v1.41/containers/c1/start",
                                 "POST /v1.41/containers/c1/wait",
                                 "DELETE /v1.41/containers/c1?force=1"]
    api.close()


def test_errors_raise(sock: Path) -> None:
    with pytest.raises(ApiError, match="404"):
        Api(sock).call("GET", "/missing")


def test_warm_runtime_answers_one_line_per_id(monkeypatch: pytest.MonkeyPatch) -> None:
    import berth.runtime

    seen: list[tuple[str, str, str]] = []

    def fake(root: str, cid: str, bundle: str) -> int:
        seen.append((root, cid, bundle))
        if cid == "bad":
            raise OSError("no bundle")
        return 0

    monkeypatch.setattr(berth.runtime, "run_in_process", fake, raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO("a\n\nbad\nb\n"))
    out = io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    serve("/r", "/b")
    assert out.getvalue().splitlines() == ["ok 0", "err OSError: no bundle", "ok 0"]
    assert [s[1] for s in seen] == ["a", "bad", "b"]
