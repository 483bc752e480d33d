"""``GET /containers/{id}/attach/ws`` against the fake backend, with aiohttp's ws client.

moby's rules under test: output is raw (stdcopy framing undone even without a TTY) in
binary frames (text frames before API 1.28); text and binary client frames reach stdin;
detach keys end a TTY session; HTTP errors come before the handshake.
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


async def _receive(ws: aiohttp.ClientWebSocketResponse) -> list[aiohttp.WSMessage]:
    """Every message until the server closes."""
    out = []
    async for msg in ws:
        out.append(msg)
    return out


async def test_ws_binary_frames_raw_output_and_stdin(cclient: Client,
                                                     ctrs: FakeContainers) -> None:
    ctrs.add()
    ws = await cclient.ws_connect("/v1.44/containers/web/attach/ws?stream=1&stdin=1"
                                  "&stdout=1&stderr=1")
    await asyncio.wait_for(ctrs.attached.wait(), 5)
    assert ctrs.calls[-1] == ("attach", {"stdin": True, "stdout": True, "stderr": True,
                                         "stream": True, "logs": False})
    stream = ctrs.streams[0]
    await ws.send_str("echo hi\n")
    await ws.send_bytes(b"\x00bin")
    await asyncio.wait_for(stream.stdin.changed.wait(), 5)
    stream.out.feed_data(stdcopy.frame(1, b"out\n") + stdcopy.frame(2, b"err\n")[:10])
    msg = await asyncio.wait_for(ws.receive(), 5)
    assert (msg.type, msg.data) == (aiohttp.WSMsgType.BINARY, b"out\n")
    stream.out.feed_data(stdcopy.frame(2, b"err\n")[10:])
    stream.out.feed_eof()
    rest = await asyncio.wait_for(_receive(ws), 5)
    assert b"".join(m.data for m in rest) == b"err\n"  # one stream, no stdcopy headers
    assert all(m.type == aiohttp.WSMsgType.BINARY for m in rest)
    assert bytes(stream.stdin.data) == b"echo hi\n\x00bin"
    assert stream.stdin.closed
    await ws.close()


async def test_ws_before_1_28_sends_text_and_attaches_all(cclient: Client,
                                                          ctrs: FakeContainers) -> None:
    ctrs.add(tty=True)
    ws = await cclient.ws_connect("/v1.27/containers/web/attach/ws?stream=1")
    await asyncio.wait_for(ctrs.attached.wait(), 5)
    kw = ctrs.calls[-1][1]
    assert (kw["stdin"], kw["stdout"], kw["stderr"]) == (True, True, True)  # < 1.42
    ctrs.streams[0].out.feed_data(b"$ ")
    msg = await asyncio.wait_for(ws.receive(), 5)
    assert (msg.type, msg.data) == (aiohttp.WSMsgType.TEXT, "$ ")
    ctrs.streams[0].out.feed_eof()
    await asyncio.wait_for(_receive(ws), 5)
    await ws.close()


async def test_ws_tty_detach_keys_end_session(cclient: Client, ctrs: FakeContainers) -> None:
    ctrs.add(tty=True)
    ws = await cclient.ws_connect("/containers/web/attach/ws?stream=1&stdin=1&stdout=1"
                                  "&detachKeys=ctrl-x,x")
    await asyncio.wait_for(ctrs.attached.wait(), 5)
    stream = ctrs.streams[0]
    await ws.send_bytes(b"ls\x18y\x18xafter")
    assert await asyncio.wait_for(_receive(ws), 5) == []
    assert ws.closed
    assert bytes(stream.stdin.data) == b"ls\x18y"
    assert stream.stdin.closed and not stream.stdin.eof.is_set()


async def test_ws_client_close_ends_stdin_only_with_stdin_once(cclient: Client,
                                                               ctrs: FakeContainers) -> None:
    ctrs.add(stdin_once=True)
    ws = await cclient.ws_connect("/containers/web/attach/ws?stream=1&stdin=1&stdout=1")
    await asyncio.wait_for(ctrs.attached.wait(), 5)
    await ws.send_str("data")
    await ws.close()
    stream = ctrs.streams[0]
    await asyncio.wait_for(stream.stdin.eof.wait(), 5)
    assert bytes(stream.stdin.data) == b"data"


async def test_ws_errors_before_handshake_are_http(cclient: Client,
                                                   ctrs: FakeContainers) -> None:
    r = await cclient.get("/containers/nope/attach/ws?stream=1")
    assert r.status == 404
    assert (await r.json())["message"] == "No such container: nope"
    ctrs.add()
    r = await cclient.get("/containers/web/attach/ws?stream=1&detachKeys=ctrl-zz")
    assert r.status == 400
    assert "Invalid detach keys" in (await r.json())["message"]
    assert not ctrs.streams
