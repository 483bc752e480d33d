"""berthd's side of the spawner: start it (no fork: posix_spawn) and send spawn requests.

``start_spawner(exec_root)`` launches ``python -m berth.monitor.spawner <fd>`` with one
end of a socketpair and returns a ``SpawnerClient``. ``await client.spawn(request)``
sends one request (``rid`` is filled in; ``op`` defaults to ``spawn``, ``exec`` makes
an exec's monitor) and returns the spawner's reply dict
as is (``ok`` false carries ``error`` and ``exit_code``; ``records.raise_reply`` turns it
into an errdefs exception). Replies are matched by ``rid``, so spawns may overlap. If the
spawner has died, the next ``spawn`` starts a new one; requests in flight when it dies
fail with Unavailable (they are not retried: the monitor may exist already).
asyncio is imported only inside methods: the spawner process imports this module too.
"""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

from berth.errdefs import Unavailable
from berth.monitor.records import encode

TYPE_CHECKING = False
if TYPE_CHECKING:
    import asyncio
    from typing import Any


class SpawnerClient:
    def __init__(self, exec_root: Path, python: str = sys.executable) -> None:
        self.exec_root, self.python = Path(exec_root), python
        self.pid = 0
        self._sock: socket.socket | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._rid = 0
        self._reader_task: asyncio.Task[None] | None = None

    def launch(self) -> None:
        """Start a spawner process (posix_spawn is safe in a threaded caller)."""
        self.exec_root.mkdir(parents=True, exist_ok=True)
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            os.set_inheritable(theirs.fileno(), True)
            argv = [self.python, *spawner_args(), str(theirs.fileno())]
            self.pid = os.posix_spawn(self.python, argv, dict(os.environ),
                                      setsid=True)
        except OSError as e:
            mine.close()
            raise Unavailable(f"cannot start the spawner {self.python}: {e.strerror}") from None
        finally:
            theirs.close()
        self._sock = mine

    def alive(self) -> bool:
        """Is the spawner process still running? (reaps it if it has exited)"""
        if not self.pid:
            return False
        try:
            pid, _status = os.waitpid(self.pid, os.WNOHANG)
        except ChildProcessError:
            pid = self.pid
        if pid == self.pid:
            self.pid = 0
            return False
        return True

    async def spawn(self, request: dict[str, Any]) -> dict[str, Any]:
        """One spawn; the reply once the monitor listens (or the creation error)."""
        import asyncio
        await self._ensure()
        assert self._writer is not None
        self._rid += 1
        rid = self._rid
        fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[rid] = fut
        try:
            self._writer.write(encode({"op": "spawn", **request, "rid": rid}))
            await self._writer.drain()
            reply = await fut
        except (ConnectionError, OSError) as e:
            raise Unavailable(f"spawner: {e}") from None
        finally:
            self._pending.pop(rid, None)
        reply.pop("rid", None)
        return reply

    async def _ensure(self) -> None:
        import asyncio
        if self._writer is not None and self.alive() and not self._writer.is_closing():
            return
        await self._disconnect()
        if self.pid:
            self.alive()
        if not self.pid:
            self.launch()
        reader, self._writer = await asyncio.open_unix_connection(sock=self._sock)
        self._reader_task = asyncio.create_task(self._read_replies(reader))

    async def _read_replies(self, reader: asyncio.StreamReader) -> None:
        import json
        try:
            while line := await reader.readline():
                msg = json.loads(line)
                fut = self._pending.get(msg.get("rid"))
                if fut is not None and not fut.done():
                    fut.set_result(msg)
        finally:
            for fut in self._pending.values():
                if not fut.done():
                    fut.set_exception(Unavailable("spawner exited during a spawn"))

    async def _disconnect(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if self._reader_task is not None:
            self._reader_task.cancel()
            self._reader_task = None

    async def close(self, timeout: float = 5.0) -> None:
        """Stop the spawner (it exits on EOF); monitors it made keep running."""
        import asyncio
        await self._disconnect()
        if self._sock is not None:
            self._sock.close()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.alive() and loop.time() < deadline:
            await asyncio.sleep(0.01)
        if self.pid:
            os.kill(self.pid, 9)
            os.waitpid(self.pid, 0)
            self.pid = 0


def spawner_args() -> list[str]:
    """``python -I -S``: no ``site`` (its ``.pth`` hooks and ``sitecustomize`` would sit in
    the heap every monitor shares); ``berth`` is found through its own directory."""
    import berth
    root = os.path.dirname(os.path.dirname(os.path.abspath(berth.__file__)))
    code = (f"import sys; sys.path.insert(0, {root!r}); "
            "from berth.monitor.spawner import main; sys.exit(main(sys.argv))")
    return ["-I", "-S", "-c", code]


def start_spawner(exec_root: Path, python: str = sys.executable) -> SpawnerClient:
    """A running spawner for berthd (restarted by ``spawn`` if it dies later)."""
    client = SpawnerClient(exec_root, python)
    client.launch()
    return client
