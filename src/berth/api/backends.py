"""What the API layer needs from the rest of berth, as Protocols.

``berth.api`` never imports the services: the daemon (composition root) builds them and
hands them over in a ``Backends``. Image and system backends are synchronous and are
called from the API's thread pool; the event source is loop-side. Dicts are Engine API
JSON shapes. Errors are ``berth.errdefs`` exceptions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, BinaryIO, Protocol

from .backends_containers import ContainerBackend, ExecBackend, StreamPair
from .backends_networks import NetworkAttachBackend, NetworkBackend
from .backends_volumes import VolumeBackend

JSON = dict[str, Any]
Progress = Callable[[JSON], None]


class ImageBackend(Protocol):
    """The image service (``berth.images.ImageService``); thread-safe, blocking."""

    def list_images(self, *, all: bool, filters: dict[str, list[str]] | None,
                    digests: bool) -> list[JSON]: ...
    def inspect_image(self, name: str) -> JSON: ...
    def image_history(self, name: str) -> list[JSON]: ...
    def tag_image(self, source: str, repo: str, tag: str) -> None: ...
    def remove_image(self, name: str, *, force: bool, noprune: bool) -> list[JSON]: ...
    def prune_images(self, filters: dict[str, list[str]]) -> JSON: ...
    def load_images(self, stream: BinaryIO, *, progress: Progress) -> list[str]: ...
    def save_images(self, names: list[str], out: BinaryIO) -> None: ...
    def import_image(self, stream: BinaryIO, *, repo: str, tag: str, changes: list[str],
                     message: str, platform: str | None) -> str: ...
    def disk_usage(self) -> JSON: ...


class PullBackend(Protocol):
    """A registry client able to pull; absent until berth has one."""

    def pull_image(self, ref: str, *, platform: str | None, auth: str | None,
                   progress: Progress) -> str: ...


class SystemBackend(Protocol):
    """Facts about this daemon and host for ``/info``, ``/version`` and ``/system/df``."""

    def version(self) -> JSON: ...
    def info(self) -> JSON: ...


class Subscription(Protocol):
    """Live events for one ``/events`` client, with the backlog at subscription time."""

    backlog: list[JSON]

    async def get(self) -> JSON: ...
    def close(self) -> None: ...


class EventSource(Protocol):
    """The daemon's event bus seen from the API (loop-side)."""

    def subscribe(self) -> Subscription: ...


@dataclass
class Backends:
    """Everything the API routes call; the daemon fills it in."""

    system: SystemBackend
    images: ImageBackend
    events: EventSource
    registry: PullBackend | None = None
    containers: ContainerBackend | None = None
    execs: ExecBackend | None = None
    volumes: VolumeBackend | None = None
    networks: NetworkBackend | None = None
    netattach: NetworkAttachBackend | None = None


__all__ = ["JSON", "Backends", "ContainerBackend", "EventSource", "ExecBackend",
           "ImageBackend", "NetworkAttachBackend", "NetworkBackend", "Progress", "PullBackend",
           "StreamPair", "Subscription", "SystemBackend", "VolumeBackend"]
