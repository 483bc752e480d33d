"""Attach without a TTY: streaming output, Ctrl-C through ``--sig-proxy``, ``logs=1``
from docker-py, and the websocket attach with aiohttp's client over the unix socket.

The containers loop on their own (``sleep`` inside them); the tests only wait for
conditions.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import time
from typing import Any

import aiohttp
import pytest

from berth._util import stdcopy

pytestmark = [pytest.mark.e2e, pytest.mark.root,
              pytest.mark.skipif(os.geteuid() != 0, reason="containers need root"),
              pytest.mark.skipif(shutil.which("docker") is None, reason="no docker CLI"),
              pytest.mark.usefixtures("clean_containers")]  # `d`: tests/e2e/conftest.py

TICK = "while true; do echo tick; sleep 0.2; done"


def _cli(d: Any, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DOCKER_CONFIG": str(d.docker_config)}
    env.pop("DOCKER_HOST", None)
    return subprocess.Popen(["docker", "-H", d.url, *args], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)


def _wait_running(d: Any, name: str) -> None:
    deadline = time.monotonic() + 20
    while d.docker("inspect", "-f", "{{.State.Status}}", name).stdout.strip() != "running":
        assert time.monotonic() < deadline, f"{name} never ran"
        time.sleep(0.05)


def test_attach_streams_and_ctrl_c_is_forwarded(d: Any) -> None:
    script = f'trap "echo got-int; exit 3" INT; {TICK}'
    d.docker("run", "-d", "--name", "tk", "busybox", "sh", "-c", script)
    _wait_running(d, "tk")
    proc = _cli(d, "attach", "tk")
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline() == b"tick\n"
        assert proc.stdout.readline() == b"tick\n"
        proc.send_signal(signal.SIGINT)  # --sig-proxy: POST /containers/tk/kill?signal=INT
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert b"got-int\n" in out, (out, err)
    assert proc.returncode == 3, (out, err)  # attach returns the container's exit code
    assert d.docker("inspect", "-f", "{{.State.ExitCode}}", "tk").stdout.strip() == "3"


def _raw_attach(d: Any, name: str, query: str) -> bytes:
    """POST /attach on a plain socket: the 101, then everything until the server closes."""
    with socket.socket(socket.AF_UNIX) as sock:
        sock.settimeout(20)
        sock.connect(str(d.sock))
        sock.sendall(f"POST /v1.44/containers/{name}/attach?{query} HTTP/1.1\r\n"
                     "Host: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 101 UPGRADED"), head
    return body


def test_attach_logs_of_stopped_container(d: Any) -> None:
    d.docker("run", "--name", "lg", "busybox", "sh", "-c", "echo one; echo two >&2; echo 3")
    body = _raw_attach(d, "lg", "logs=1&stdout=1&stderr=1")
    assert stdcopy.demux(body) == (b"one\n3\n", b"two\n")
    assert stdcopy.demux(_raw_attach(d, "lg", "logs=1&stderr=1")) == (b"", b"two\n")
    assert _raw_attach(d, "lg", "stdout=1&stderr=1") == b""  # no logs, no stream
    # docker-py drops bytes that share a recv with the 101; the server waits until the
    # client has read the status line (hijack.peer_read_all), so no retries are needed
    api = d.client().api
    for _ in range(5):
        assert api.attach("lg", stdout=True, stderr=True, logs=True,
                          demux=True) == (b"one\n3\n", b"two\n")
        assert api.attach("lg", stdout=True, stderr=False, logs=True) == b"one\n3\n"


def test_websocket_attach_raw_output_and_stdin(d: Any) -> None:
    d.docker("run", "-di", "--name", "wsc", "busybox", "cat")
    _wait_running(d, "wsc")
    d.docker("run", "--name", "wsl", "busybox", "sh", "-c", "echo from-log; echo err >&2")

    async def session() -> tuple[bytes, list[bytes]]:
        conn = aiohttp.UnixConnector(path=str(d.sock))
        async with aiohttp.ClientSession(connector=conn) as http:
            url = "http://localhost/v1.44/containers/wsc/attach/ws?stream=1&stdin=1&stdout=1"
            async with http.ws_connect(url) as ws:
                await ws.send_str("hello over ws\n")
                got = b""
                while b"hello over ws\n" not in got:
                    msg = await asyncio.wait_for(ws.receive(), 20)
                    assert msg.type == aiohttp.WSMsgType.BINARY, msg
                    got += msg.data
            url = ("http://localhost/v1.44/containers/wsl/attach/ws?logs=1&stdout=1"
                   "&stderr=1")
            async with http.ws_connect(url) as ws:
                logged = [m.data async for m in ws]
        return got, logged

    got, logged = asyncio.run(session())
    assert got == b"hello over ws\n"  # raw: no stdcopy header on a non-TTY container
    assert b"".join(logged) == b"from-log\nerr\n"
    assert d.docker("inspect", "-f", "{{.State.Status}}", "wsc").stdout.strip() == "running"
