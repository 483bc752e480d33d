"""``logs=1`` / ``stream=0`` on attach, hijacked and websocket (moby ``containerAttach``).

The log is replayed (whole, ``tail=-1``) before the live stream; ``stream=0`` ends after
the replay without attaching; the live attach is registered before the replay starts.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import test_api_containers_fake as fake
from test_api_containers_fake import FakeContainers

from berth._util import stdcopy

Client = Any
ctrs, cclient = fake.ctrs, fake.cclient  # shared fixtures


async def _hijack(client: Client, path: str) -> tuple[asyncio.StreamReader,
                                                      asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection(client.server.host, client.server.port)
    writer.write(f"POST {path} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n"
                 "Content-Length: 0\r\n\r\n".encode())
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    assert head.startswith(b"HTTP/1.1 101 UPGRADED\r\n")
    return reader, writer


async def test_attach_logs_without_stream_returns_log_and_ends(cclient: Client,
                                                                ctrs: FakeContainers) -> None:
    ctrs.add(running=False)
    ctrs.log_items = [(1, b"one\n"), (2, b"two\n"), (1, b"three\n")]
    reader, writer = await _hijack(cclient, "/containers/web/attach?logs=1&stdout=1&stderr=1")
    body = await asyncio.wait_for(reader.read(), 5)
    assert stdcopy.demux(body) == (b"one\nthree\n", b"two\n")
    assert not ctrs.streams  # stream=0: never attached
    logs_kw = next(kw for name, kw in ctrs.calls if name == "logs")
    assert logs_kw["tail"] == -1 and logs_kw["follow"] is False
    assert (logs_kw["stdout"], logs_kw["stderr"]) == (True, True)
    writer.close()


async def test_attach_logs_then_live(cclient: Client, ctrs: FakeContainers) -> None:
    ctrs.add()
    ctrs.log_items = [(1, b"old\n")]
    reader, writer = await _hijack(cclient, "/containers/web/attach?logs=1&stream=1&stdout=1")
    await asyncio.wait_for(ctrs.attached.wait(), 5)
    ctrs.streams[0].out.feed_data(stdcopy.frame(1, b"new\n"))
    ctrs.streams[0].out.feed_eof()
    assert stdcopy.demux(await asyncio.wait_for(reader.read(), 5)) == (b"old\nnew\n", b"")
    writer.close()


async def test_attach_tty_logs_are_raw(cclient: Client, ctrs: FakeContainers) -> None:
    ctrs.add(tty=True)
    ctrs.log_items = [(1, b"$ ls\r\n")]
    reader, writer = await _hijack(cclient, "/containers/web/attach?logs=1&stdout=1")
    assert await asyncio.wait_for(reader.read(), 5) == b"$ ls\r\n"
    writer.close()


async def test_attach_neither_logs_nor_stream_ends_at_once(cclient: Client,
                                                           ctrs: FakeContainers) -> None:
    ctrs.add()
    reader, writer = await _hijack(cclient, "/containers/web/attach?stdout=1")
    assert await asyncio.wait_for(reader.read(), 5) == b""
    assert not ctrs.streams
    writer.close()


async def test_ws_logs_replay_then_live(cclient: Client, ctrs: FakeContainers) -> None:
    ctrs.add()
    ctrs.log_items = [(1, b"old\n")]
    ws = await cclient.ws_connect("/containers/web/attach/ws?logs=1&stream=1&stdout=1")
    await asyncio.wait_for(ctrs.attached.wait(), 5)
    ctrs.streams[0].out.feed_data(stdcopy.frame(1, b"new\n"))
    ctrs.streams[0].out.feed_eof()
    msgs = [m async for m in ws]
    assert [m.data for m in msgs] == [b"old\n", b"new\n"]
    logs_kw = next(kw for name, kw in ctrs.calls if name == "logs")
    assert (logs_kw["stdout"], logs_kw["stderr"]) == (True, False)  # as asked
    assert all(m.type == aiohttp.WSMsgType.BINARY for m in msgs)
    await ws.close()


async def test_ws_logs_only(cclient: Client, ctrs: FakeContainers) -> None:
    ctrs.add(running=False)
    ctrs.log_items = [(1, b"a\n"), (2, b"b\n")]
    ws = await cclient.ws_connect("/containers/web/attach/ws?logs=1&stdout=1&stderr=1")
    assert [m.data async for m in ws] == [b"a\n", b"b\n"]
    assert not ctrs.streams
    await ws.close()
