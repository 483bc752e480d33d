"""stdcopy demultiplexing and the attach hijack (101, raw both ways, half-close)."""

from __future__ import annotations

import io
import socket
import threading
from pathlib import Path

import pytest

from berth._util import stdcopy
from berth.client import APIClient


def test_demux_split_anywhere() -> None:
    data = stdcopy.frame(1, b"out1\n") + stdcopy.frame(2, b"err\n") + stdcopy.frame(1, b"o2")
    for cut in range(1, len(data)):
        out, err = io.BytesIO(), io.BytesIO()
        reads = iter([data[:cut], data[cut:], b""])
        stdcopy.copy(reads.__next__, out, err)
        assert (out.getvalue(), err.getvalue()) == (b"out1\no2", b"err\n")


def test_payload_is_written_before_its_frame_is_complete() -> None:
    out = io.BytesIO()
    reads = iter([stdcopy.frame(1, b"hello")[:10], b""])
    stdcopy.copy(reads.__next__, out, io.BytesIO())
    assert out.getvalue() == b"he"


def test_systemerr_frame_raises() -> None:
    with pytest.raises(stdcopy.FramingError, match="boom"):
        stdcopy.Decoder().feed(stdcopy.frame(3, b"boom"))


def _server(path: Path, seen: list[bytes]) -> socket.socket:
    srv = socket.socket(socket.AF_UNIX)
    srv.bind(str(path))
    srv.listen(4)

    def serve() -> None:
        while True:
            try:
                conn, _ = srv.accept()
            except OSError:
                return
            buf = b""
            while b"\r\n\r\n" not in buf:
                buf += conn.recv(4096)
            head = buf.split(b"\r\n\r\n")[0]
            if head.startswith(b"HEAD /_ping"):
                conn.sendall(b"HTTP/1.1 200 OK\r\nApi-Version: 1.44\r\nContent-Length: 0\r\n\r\n")
                conn.close()
                continue
            seen.append(head)
            # 101 and the first output in one write, as a fast daemon sends them
            conn.sendall(b"HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker."
                         b"raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n" +
                         stdcopy.frame(1, b"hello\n"))
            got = b""
            while chunk := conn.recv(4096):  # until the client's half-close
                got += chunk
            conn.sendall(stdcopy.frame(2, b"stdin was " + got))  # output after EOF
            conn.close()

    threading.Thread(target=serve, daemon=True).start()
    return srv


def test_hijack_half_close(tmp_path: Path) -> None:
    seen: list[bytes] = []
    srv = _server(tmp_path / "h.sock", seen)
    try:
        c = APIClient(f"unix://{tmp_path / 'h.sock'}")
        resp = c.containers.attach("abc", True, True, True)
        resp.send(b"input")
        resp.close_write()
        out, err = io.BytesIO(), io.BytesIO()
        stdcopy.copy(lambda: resp.read1(1024), out, err)
        assert out.getvalue() == b"hello\n"
        assert err.getvalue() == b"stdin was input"
        assert b"Upgrade: tcp" in seen[0] and b"Connection: Upgrade" in seen[0]
        assert seen[0].startswith(
            b"POST /v1.44/containers/abc/attach?stderr=1&stdin=1&stdout=1&stream=1 ")
    finally:
        srv.close()
