"""A fake ContainerBackend/ExecBackend for the API unit tests, plus an app fixture.

Containers live in a dict; ``attach``/``exec_start`` return an in-memory stream pair
whose output the test feeds (``FakeStream.out``) and whose stdin it inspects.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from berth import errdefs
from berth.api import Backends, make_app

CID = "c0ffee" + "0" * 58


class FakeStdin:
    def __init__(self) -> None:
        self.data = bytearray()
        self.eof = asyncio.Event()
        self.closed = False
        self.changed = asyncio.Event()

    def write(self, data: bytes) -> None:
        self.data += data
        self.changed.set()

    async def drain(self) -> None:
        return None

    def write_eof(self) -> None:
        self.eof.set()

    def close(self) -> None:
        self.closed = True


class FakeStream:
    """Output the test controls (``out``), stdin the test reads (``stdin``)."""

    def __init__(self) -> None:
        self.out = asyncio.StreamReader()
        self.stdin = FakeStdin()

    def pair(self) -> tuple[asyncio.StreamReader, FakeStdin]:
        return self.out, self.stdin


class FakeContainers:
    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.containers: dict[str, dict[str, Any]] = {}
        self.exit = asyncio.Event()
        self.exit_code = 0
        self.streams: list[FakeStream] = []
        self.attached = asyncio.Event()
        self.log_items: list[tuple[int, bytes]] = []
        self.execs: dict[str, dict[str, Any]] = {}

    def add(self, name: str = "web", tty: bool = False, stdin_once: bool = False,
            running: bool = True) -> dict[str, Any]:
        info = {"Id": CID, "Name": "/" + name, "SizeRw": 1,
                "Config": {"Tty": tty, "StdinOnce": stdin_once, "Image": "busybox"},
                "State": {"Running": running, "Status": "running" if running else "exited"}}
        self.containers[CID] = info
        return info

    def _get(self, ident: str) -> dict[str, Any]:
        for cid, info in self.containers.items():
            if cid.startswith(ident) or info["Name"].lstrip("/") == ident.lstrip("/"):
                return info
        raise errdefs.NotFound(f"No such container: {ident}")

    def create(self, body: dict[str, Any], name: str | None) -> dict[str, Any]:
        self.calls.append(("create", (body, name)))
        if body.get("Image") != "busybox":
            raise errdefs.NotFound(f"No such image: {body.get('Image')}:latest")
        self.add(name or "auto", tty=bool(body.get("Tty")), running=False)
        return {"Id": CID, "Warnings": []}

    async def start(self, id: str) -> None:
        info = self._get(id)
        if info["State"]["Running"]:
            raise errdefs.NotModified("container already started")
        info["State"]["Running"] = True
        self.calls.append(("start", id))

    async def stop(self, id: str, timeout: int | None = None,
                   signal: str | None = None) -> None:
        info = self._get(id)
        self.calls.append(("stop", (id, timeout, signal)))
        if not info["State"]["Running"]:
            raise errdefs.NotModified("container already stopped")
        info["State"]["Running"] = False

    async def kill(self, id: str, signal: str | None) -> None:
        info = self._get(id)
        if not info["State"]["Running"]:
            raise errdefs.Conflict(f"Container {info['Id']} is not running")
        self.calls.append(("kill", (id, signal)))

    async def restart(self, id: str, timeout: int | None) -> None:
        self.calls.append(("restart", (self._get(id)["Id"], timeout)))

    async def wait(self, id: str, condition: str) -> dict[str, Any]:
        self.calls.append(("wait", (id, condition)))
        await self.exit.wait()
        return {"StatusCode": self.exit_code, "Error": None}

    def resolve(self, id: str) -> str:
        return str(self._get(id)["Id"])

    def remove(self, id: str, force: bool, volumes: bool, link: bool) -> None:
        info = self._get(id)
        self.calls.append(("remove", (id, force, volumes, link)))
        del self.containers[info["Id"]]

    def inspect(self, id: str, size: bool = False) -> dict[str, Any]:
        out = dict(self._get(id))
        if not size:
            out.pop("SizeRw", None), out.pop("SizeRootFs", None)
        return out

    def list(self, all: bool, limit: int, size: bool,
             filters: dict[str, list[str]]) -> list[dict[str, Any]]:
        self.calls.append(("list", (all, limit, size, filters)))
        return [{"Id": c["Id"], "Names": [c["Name"]]} for c in self.containers.values()]

    def rename(self, id: str, name: str) -> None:
        self._get(id)["Name"] = "/" + name

    def pause(self, id: str) -> None:
        self.calls.append(("pause", self._get(id)["Id"]))

    def unpause(self, id: str) -> None:
        self.calls.append(("unpause", self._get(id)["Id"]))

    def logs(self, id: str, **kw: Any) -> Any:
        self.calls.append(("logs", kw))
        return iter(list(self.log_items))

    async def attach(self, id: str, **kw: Any) -> tuple[asyncio.StreamReader, FakeStdin]:
        self.calls.append(("attach", kw))
        stream = FakeStream()
        self.streams.append(stream)
        self.attached.set()
        return stream.pair()

    def resize(self, id: str, height: int, width: int) -> None:
        self.calls.append(("resize", (self._get(id)["Id"], height, width)))

    def top(self, id: str, ps_args: str) -> dict[str, Any]:
        return {"Titles": ["PID", "CMD"], "Processes": [["1", ps_args]]}

    def prune(self, filters: dict[str, list[str]]) -> dict[str, Any]:
        return {"ContainersDeleted": None, "SpaceReclaimed": 0}

    def changes(self, id: str) -> list[dict[str, Any]]:
        return [{"Path": "/tmp", "Kind": 0}]

    def export(self, id: str) -> Any:
        self._get(id)
        return iter([b"tar", b"ball"])

    # exec
    def exec_create(self, container_id: str, config: dict[str, Any]) -> str:
        self.execs["e1"] = {"ID": "e1", "OpenStdin": bool(config.get("AttachStdin")),
                            "ProcessConfig": {"tty": bool(config.get("Tty"))}, "ExitCode": None}
        return "e1"

    async def exec_start(self, exec_id: str, detach: bool, tty: bool,
                         console_size: list[int] | None) -> Any:
        self.calls.append(("exec_start", (exec_id, detach, tty)))
        if detach:
            return None
        stream = FakeStream()
        self.streams.append(stream)
        self.attached.set()
        return stream.pair()

    def exec_resize(self, exec_id: str, height: int, width: int) -> None:
        self.exec_inspect(exec_id)

    def exec_inspect(self, exec_id: str) -> dict[str, Any]:
        if exec_id not in self.execs:
            raise errdefs.NotFound(f"No such exec instance: {exec_id}")
        return self.execs[exec_id]


@pytest.fixture
def ctrs(fakes: Backends) -> FakeContainers:
    fake = FakeContainers()
    fakes.containers = fake
    fakes.execs = fake
    return fake


@pytest.fixture
async def cclient(fakes: Backends, ctrs: FakeContainers) -> AsyncIterator[TestClient[Any, Any]]:
    server = TestServer(make_app(fakes))
    async with TestClient(server) as c:
        yield c
