"""What the image service needs from its collaborators (berth.snapshots, berth.archive).

Written as Protocols so the service is tested against the real implementations and small
fakes alike; the composition root passes the real ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, BinaryIO, Protocol


class Snapshotter(Protocol):
    """containerd's snapshotter model, as far as images use it."""

    whiteout_mode: str

    def stat(self, key: str) -> Any: ...

    def prepare(self, key: str, parent: str | None = None,
                labels: dict[str, str] | None = None) -> Any: ...

    def commit(self, name: str, key: str) -> Any: ...

    def remove(self, key: str) -> Any: ...

    def walk(self) -> Iterable[Any]: ...

    def usage(self, key: str) -> Any: ...

    def upper_dir(self, key: str) -> Path: ...


class ApplyResult(Protocol):
    size: int
    digest: str


ApplyLayer = Callable[..., Any]
"""``apply_layer(stream: BinaryIO, target: Path, *, whiteouts: str) -> ApplyResult``."""

Publish = Callable[[str, str, dict[str, str]], None]
"""``publish(action, actor_id, attributes)``: emits an image event."""

InUse = Callable[[str], list[str]]
"""Container IDs using an image ID (the containers service plugs this in)."""

Progress = Callable[[dict[str, Any]], None]

Stream = BinaryIO
