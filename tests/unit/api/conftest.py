"""An API app over in-memory fakes, served by aiohttp's test server."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from typing import Any, BinaryIO

import pytest
from aiohttp.test_utils import TestClient, TestServer

from berth import errdefs
from berth.api import Backends, make_app


class FakeImages:
    """Records calls; behaviour set per test through attributes."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.images: dict[str, dict[str, Any]] = {"busybox:latest": {"Id": "sha256:" + "a" * 64}}
        self.raise_on: dict[str, BaseException] = {}
        self.loaded_bytes = b""
        self.save_payload = b""
        self.load_progress: list[dict[str, Any]] = []
        self.load_fail_after_progress: BaseException | None = None

    def _call(self, name: str, args: Any) -> None:
        self.calls.append((name, args))
        if name in self.raise_on:
            raise self.raise_on[name]

    def list_images(self, *, all: bool, filters: Any, digests: bool) -> list[dict[str, Any]]:
        self._call("list_images", {"all": all, "filters": filters, "digests": digests})
        return list(self.images.values())

    def inspect_image(self, name: str) -> dict[str, Any]:
        self._call("inspect_image", name)
        if name not in self.images:
            raise errdefs.NotFound(f"No such image: {name}")
        return self.images[name]

    def image_history(self, name: str) -> list[dict[str, Any]]:
        self._call("image_history", name)
        return [{"Id": self.inspect_image(name)["Id"], "CreatedBy": "x"}]

    def tag_image(self, source: str, repo: str, tag: str) -> None:
        self._call("tag_image", (source, repo, tag))

    def remove_image(self, name: str, *, force: bool, noprune: bool) -> list[dict[str, Any]]:
        self._call("remove_image", (name, force, noprune))
        return [{"Untagged": name}]

    def prune_images(self, filters: dict[str, list[str]]) -> dict[str, Any]:
        self._call("prune_images", filters)
        return {"ImagesDeleted": None, "SpaceReclaimed": 0}

    def load_images(self, stream: BinaryIO, *, progress: Any) -> list[str]:
        self._call("load_images", None)
        for msg in self.load_progress:
            progress(msg)
        if self.load_fail_after_progress is not None:
            raise self.load_fail_after_progress
        self.loaded_bytes = stream.read()
        progress({"stream": "Loaded image: busybox:latest\n"})
        return ["busybox:latest"]

    def save_images(self, names: list[str], out: BinaryIO) -> None:
        self._call("save_images", names)
        for name in names:
            if name not in self.images:
                raise errdefs.NotFound(f"No such image: {name}")
        view = memoryview(self.save_payload)
        for i in range(0, len(view), 10_000):
            out.write(view[i:i + 10_000])

    def import_image(self, stream: BinaryIO, *, repo: str, tag: str, changes: list[str],
                     message: str, platform: str | None) -> str:
        self._call("import_image", {"repo": repo, "tag": tag, "changes": changes,
                                    "message": message, "platform": platform,
                                    "data": stream.read()})
        return "sha256:" + "c" * 64

    def disk_usage(self) -> dict[str, Any]:
        self._call("disk_usage", None)
        return {"LayersSize": 42, "Images": [{"Id": "x"}]}


class FakeSystem:
    def version(self) -> dict[str, Any]:
        return {"ApiVersion": "1.44", "Version": "test"}

    def info(self) -> dict[str, Any]:
        return {"ID": "test", "Containers": 0}


class FakeSubscription:
    def __init__(self, source: FakeEvents) -> None:
        self.backlog = list(source.ring)
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.source = source

    async def get(self) -> dict[str, Any]:
        return await self.queue.get()

    def close(self) -> None:
        self.source.subs.remove(self)


class FakeEvents:
    def __init__(self) -> None:
        self.ring: list[dict[str, Any]] = []
        self.subs: list[FakeSubscription] = []
        self.subscribed = threading.Event()

    def subscribe(self) -> FakeSubscription:
        sub = FakeSubscription(self)
        self.subs.append(sub)
        self.subscribed.set()
        return sub


@pytest.fixture
def fakes() -> Backends:
    return Backends(system=FakeSystem(), images=FakeImages(), events=FakeEvents())


@pytest.fixture
async def client(fakes: Backends) -> AsyncIterator[TestClient[Any, Any]]:
    server = TestServer(make_app(fakes))
    async with TestClient(server) as c:
        yield c
