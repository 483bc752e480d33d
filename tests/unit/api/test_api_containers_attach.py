"""The attach/exec hijack driven by a raw socket client (DESIGN.md §8).

These lean on aiohttp internals on purpose: the 101 must go out before the container
produces anything, output must keep flowing after the client half-closes, stdin must be
closed only with StdinOnce, and detach keys end the session.
"""

from __future__ import annotations

import asyncio
from typing import Any

import test_api_containers_fake as fake
from test_api_containers_fake import FakeContainers

from berth._util import stdcopy

Client = Any
ctrs, cclient = fake.ctrs, fake.cclient  # shared fixtures


async def _open(client: Client, path: str, upgrade: bool = True,
                body: bytes = b"") -> tuple[asyncio.StreamReader, asyncio.StreamWriter, bytes]:
    reader, writer = await asyncio.open_connection(client.server.host, client.server.port)
    hdrs = "Connection: Upgrade\r\nUpgrade: tcp\r\n" if upgrade else ""
    writer.write(f"POST {path} HTTP/1.1\r\nHost: x\r\n{hdrs}Content-Length: {len(body)}\r\n"
                 f"Content-Type: application/json\r\n\r\n".encode() + body)
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    return reader, writer, head


async def test_attach_101_then_output_after_half_close(cclient: Client,
                                                        ctrs: FakeContainers) -> None:
    ctrs.add()
    reader, writer, head = await _open(cclient, "/v1.44/containers/web/attach?stream=1&stdout=1")
    assert head.startswith(b"HTTP/1.1 101 UPGRADED\r\n")
    assert b"Content-Type: application/vnd.docker.multiplexed-stream\r\n" in head
    assert b"Upgrade: tcp\r\n" in head
    await ctrs.attached.wait()
    writer.write_eof()  # what the docker CLI does at once when stdin is not attached
    stream = ctrs.streams[0]
    await asyncio.sleep(0)
    stream.out.feed_data(stdcopy.frame(1, b"hi\n"))
    stream.out.feed_data(stdcopy.frame(2, b"err\n"))
    stream.out.feed_eof()
    rest = await asyncio.wait_for(reader.read(), 5)  # until the server closes
    assert stdcopy.demux(rest) == (b"hi\n", b"err\n")
    assert not stream.stdin.eof.is_set()  # no stdin attached, no StdinOnce
    writer.close()


async def test_attach_stdin_once_closes_stdin_on_eof(cclient: Client,
                                                      ctrs: FakeContainers) -> None:
    ctrs.add(stdin_once=True)
    reader, writer, _ = await _open(cclient, "/containers/web/attach?stream=1&stdin=1&stdout=1")
    await ctrs.attached.wait()
    stream = ctrs.streams[0]
    writer.write(b"echo hi\n")
    writer.write_eof()
    await asyncio.wait_for(stream.stdin.eof.wait(), 5)
    assert bytes(stream.stdin.data) == b"echo hi\n"
    stream.out.feed_data(stdcopy.frame(1, b"hi\n"))
    stream.out.feed_eof()
    assert stdcopy.demux(await asyncio.wait_for(reader.read(), 5)) == (b"hi\n", b"")
    writer.close()


async def test_attach_without_stdin_once_keeps_stdin(cclient: Client,
                                                      ctrs: FakeContainers) -> None:
    ctrs.add(stdin_once=False)
    reader, writer, _ = await _open(cclient, "/containers/web/attach?stream=1&stdin=1&stdout=1")
    await ctrs.attached.wait()
    stream = ctrs.streams[0]
    writer.write(b"x")
    await asyncio.wait_for(stream.stdin.changed.wait(), 5)
    writer.write_eof()
    stream.out.feed_data(stdcopy.frame(1, b"done"))
    stream.out.feed_eof()
    assert stdcopy.demux(await asyncio.wait_for(reader.read(), 5)) == (b"done", b"")
    assert not stream.stdin.eof.is_set()
    writer.close()


async def test_tty_attach_raw_and_detach_keys(cclient: Client, ctrs: FakeContainers) -> None:
    ctrs.add(tty=True)
    reader, writer, head = await _open(cclient, "/containers/web/attach?stream=1&stdin=1&stdout=1")
    assert b"application/vnd.docker.raw-stream" in head
    await ctrs.attached.wait()
    stream = ctrs.streams[0]
    stream.out.feed_data(b"$ ")
    assert await asyncio.wait_for(reader.readexactly(2), 5) == b"$ "
    writer.write(b"ls\x10\x11ignored")
    assert await asyncio.wait_for(reader.read(), 5) == b""  # detached: server closed
    assert bytes(stream.stdin.data) == b"ls"
    assert stream.stdin.closed
    writer.close()


async def test_attach_without_upgrade_gets_200_raw(cclient: Client, ctrs: FakeContainers) -> None:
    ctrs.add()
    reader, writer, head = await _open(cclient, "/containers/web/attach?stream=1&stdout=1",
                                       upgrade=False)
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"Content-Length" not in head and b"chunked" not in head
    await ctrs.attached.wait()
    ctrs.streams[0].out.feed_data(stdcopy.frame(1, b"raw"))
    ctrs.streams[0].out.feed_eof()
    assert stdcopy.demux(await asyncio.wait_for(reader.read(), 5)) == (b"raw", b"")
    writer.close()


async def test_attach_errors_before_hijack_are_http(cclient: Client,
                                                     ctrs: FakeContainers) -> None:
    _, writer, head = await _open(cclient, "/containers/nope/attach?stream=1")
    assert head.startswith(b"HTTP/1.1 404")
    writer.close()
    ctrs.add()
    r = await cclient.post("/containers/web/attach?stream=1&detachKeys=ctrl-zz")
    assert r.status == 400
    assert "Invalid detach keys" in (await r.json())["message"]


async def test_client_disconnect_ends_session(cclient: Client, ctrs: FakeContainers) -> None:
    """A closed client looks like a half-close until output to it fails; then the
    session ends and the container side is released."""
    ctrs.add()
    _, writer, _ = await _open(cclient, "/containers/web/attach?stream=1&stdout=1")
    await ctrs.attached.wait()
    writer.close()
    await writer.wait_closed()
    stream = ctrs.streams[0]
    for _ in range(500):
        if stream.stdin.closed:
            break
        stream.out.feed_data(stdcopy.frame(1, b"x" * 1024))
        await asyncio.sleep(0.01)
    assert stream.stdin.closed
    assert (await cclient.get("/containers/web/json")).status == 200


async def test_shutdown_closes_hijacked_sessions(fakes: Any, ctrs: FakeContainers) -> None:
    from aiohttp.test_utils import TestClient, TestServer

    from berth.api import make_app

    ctrs.add()
    client = TestClient(TestServer(make_app(fakes)))
    await client.start_server()
    reader, writer, _ = await _open(client, "/containers/web/attach?stream=1&stdout=1")
    await ctrs.attached.wait()
    await asyncio.wait_for(client.close(), 5)  # does not wait for the container
    assert await asyncio.wait_for(reader.read(), 5) == b""
    writer.close()


async def test_exec_start_hijack(cclient: Client, ctrs: FakeContainers) -> None:
    ctrs.add()
    await cclient.post("/containers/web/exec", json={"Cmd": ["sh"], "AttachStdin": True})
    reader, writer, head = await _open(cclient, "/exec/e1/start",
                                       body=b'{"Detach":false,"Tty":false}')
    assert head.startswith(b"HTTP/1.1 101 UPGRADED")
    await ctrs.attached.wait()
    stream = ctrs.streams[0]
    writer.write(b"exit\n")
    writer.write_eof()
    await asyncio.wait_for(stream.stdin.eof.wait(), 5)  # exec always closes stdin on EOF
    stream.out.feed_data(stdcopy.frame(2, b"bye\n"))
    stream.out.feed_eof()
    assert stdcopy.demux(await asyncio.wait_for(reader.read(), 5)) == (b"", b"bye\n")
    writer.close()
