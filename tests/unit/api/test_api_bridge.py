from __future__ import annotations

import asyncio

import pytest

from berth.api.bridge import BodyPipe, OutputPipe


async def test_body_pipe_back_pressure_and_order() -> None:
    loop = asyncio.get_running_loop()
    pipe = BodyPipe(loop, limit=10)
    data = bytes(range(256)) * 40

    def consume() -> bytes:
        with pipe.reader(buffer_size=7) as f:
            return f.read()

    reader = loop.run_in_executor(None, consume)
    for i in range(0, len(data), 33):
        await pipe.feed(data[i:i + 33])
        assert pipe._size <= 10 + 33  # never more than one chunk past the limit
    pipe.feed_eof()
    assert await reader == data


async def test_body_pipe_abort_fails_reader() -> None:
    loop = asyncio.get_running_loop()
    pipe = BodyPipe(loop)
    reader = loop.run_in_executor(None, lambda: pipe.reader().read())
    await pipe.feed(b"partial")
    pipe.abort(ConnectionResetError("client gone"))
    with pytest.raises(ConnectionResetError):
        await reader


async def test_body_pipe_reader_close_unblocks_feeder() -> None:
    loop = asyncio.get_running_loop()
    pipe = BodyPipe(loop, limit=4)
    await pipe.feed(b"12345")  # now full: the next feed must wait
    blocked = asyncio.ensure_future(pipe.feed(b"more"))
    await asyncio.sleep(0)
    assert not blocked.done()
    await loop.run_in_executor(None, lambda: pipe.reader().close())
    await asyncio.wait_for(blocked, 5)
    assert pipe.reader_gone


async def test_output_pipe_round_trip_and_tell() -> None:
    loop = asyncio.get_running_loop()
    pipe = OutputPipe(loop, limit=100)

    def produce() -> int:
        w = pipe.writer(buffer_size=64)
        for i in range(1000):
            w.write(bytes([i % 256]) * 3)
        w.flush()
        pipe.finish()
        return w.tell()

    producer = loop.run_in_executor(None, produce)
    got = bytearray()
    while (chunk := await pipe.get()) is not None:
        got += chunk
    assert await producer == 3000
    assert bytes(got) == b"".join(bytes([i % 256]) * 3 for i in range(1000))


async def test_output_pipe_error_after_data() -> None:
    pipe = OutputPipe(asyncio.get_running_loop())
    pipe.write(b"abc")
    pipe.finish(ValueError("broken"))
    assert await pipe.get() == b"abc"
    with pytest.raises(ValueError, match="broken"):
        await pipe.get()


async def test_output_pipe_abort_breaks_blocked_writer() -> None:
    loop = asyncio.get_running_loop()
    pipe = OutputPipe(loop, limit=10)

    def produce() -> None:
        while True:
            pipe.write(b"x" * 8)

    producer = loop.run_in_executor(None, produce)
    assert await pipe.get() == b"x" * 8
    pipe.abort()
    with pytest.raises(BrokenPipeError):
        await asyncio.wait_for(producer, 5)
