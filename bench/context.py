"""What rows share during one bench run: options, a scratch directory, engines started once.

Daemons are started lazily by the first row that asks and stopped when the run ends (in
reverse order, also on Ctrl-C or SIGTERM), so rows stay short and the machine is left clean.
A failure to start is remembered, and every later row gets the same reason.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from bench import images
from bench.core import Unavailable
from bench.engines.berthd import Berthd
from bench.engines.dockerd import Dockerd
from bench.engines.podman import Podman

log = logging.getLogger("bench")
T = TypeVar("T")


class ImageEngine(Protocol):
    """An engine that can import rootfs tarballs as images."""

    def import_image(self, tarball: Path, ref: str) -> None: ...


@dataclass
class Context:
    """Options plus the lazily started engines of one run."""

    workdir: Path
    quick: bool = False
    stack: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)
    _made: dict[str, Any] = field(default_factory=dict)

    def _once(self, key: str, make: Callable[[], T]) -> T:
        """Build ``key`` once; remember an Unavailable so later rows fail fast with it."""
        got = self._made.get(key)
        if isinstance(got, Unavailable):
            raise got
        if got is None:
            try:
                got = make()
            except Unavailable as e:
                self._made[key] = e
                raise
            self._made[key] = got
        return got

    def _engine(self, key: str, handle: Any) -> Any:
        """Register ``handle.close`` before starting it, so a half start is cleaned too."""
        self.stack.callback(handle.close)
        log.info("starting %s", key)
        return handle.start()

    def dockerd(self) -> Dockerd:
        """The private dockerd, with busybox (and Debian when cached) imported."""
        return self._once("dockerd", lambda: self._with_images(
            self._engine("dockerd", Dockerd(self.workdir / "docker"))))

    def dockerd_net(self) -> Dockerd:
        """A second private dockerd with its default bridge, for the network rows (its
        firewall changes are undone at close)."""
        return self._once("dockerd_net", lambda: self._with_images(
            self._engine("dockerd_net", Dockerd(self.workdir / "docker-net", network=True))))

    def podman(self) -> Podman:
        """Private podman storage, with the base images imported."""
        return self._once("podman", lambda: self._with_images(
            self._engine("podman", Podman(self.workdir / "podman"))))

    def berthd(self) -> Berthd:
        """The private berthd, with the base images imported when its import works."""
        return self._once("berthd", lambda: self._with_images(
            self._engine("berthd", Berthd(self.workdir / "berth"))))

    def busybox_tar(self) -> Path:
        """The busybox rootfs tarball every engine imports."""
        return self._once("busybox_tar", lambda: images.busybox_tar(self.workdir))

    def debian_tar(self) -> Path:
        """The cached Debian minbase tarball (built by --install)."""
        return self._once("debian_tar", images.debian_tar)

    def _with_images(self, engine: T) -> T:
        """Import busybox (required) and Debian (when cached) into ``engine``."""
        name = type(engine).__name__.lower()
        try:
            engine.import_image(self.busybox_tar(), images.BUSYBOX_REF)  # type: ignore[attr-defined]
        except Exception as e:
            raise Unavailable(f"{name}: cannot import busybox: {e}") from e
        with contextlib.suppress(Unavailable):
            try:
                engine.import_image(self.debian_tar(), images.DEBIAN_REF)  # type: ignore[attr-defined]
            except Unavailable:
                raise
            except Exception as e:
                self._made[f"{name}:debian"] = Unavailable(f"{name}: cannot import debian: {e}")
        return engine

    def image_reason(self, engine: str, ref: str) -> str | None:
        """Why ``ref`` is missing in ``engine`` (None when it was imported)."""
        if ref == images.DEBIAN_REF:
            if isinstance(self._made.get("debian_tar"), Unavailable):
                return str(self._made["debian_tar"])
            if isinstance(got := self._made.get(f"{engine}:debian"), Unavailable):
                return str(got)
        return None

    def close(self) -> None:
        """Stop every engine and remove the scratch directory."""
        try:
            self.stack.close()
        finally:
            from bench.proc import remove_tree
            remove_tree(self.workdir)
