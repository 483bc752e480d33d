"""The ``Networks`` and ``Volumes`` berth used before their services existed; kept for
tests and tools that build a ContainerService without them: a private netns holding only
``lo`` (host networking shares the host's), and binds/tmpfs straight from HostConfig."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

from berth.errdefs import InvalidArgument, NotImplementedYet

from . import etcfiles, views
from ._ports import NetPlan
from .volglue import ContainerVolumes


class LoopbackNetworks:
    def check_create(self, rec: dict[str, Any]) -> None:
        mode = rec["HostConfig"].get("NetworkMode") or "bridge"
        if mode.startswith("container:"):
            raise NotImplementedYet(f"NetworkMode {mode!r}: joining another container's "
                                    "namespaces needs the network service")
        if mode not in ("bridge", "none", "host"):
            raise InvalidArgument(f"network {mode} not found")

    def attach(self, rec: dict[str, Any], ctr_dir: Path) -> NetPlan:
        return NetPlan(None, etcfiles.write_all(ctr_dir, rec))

    def detach(self, rec: dict[str, Any]) -> None:
        return None

    def forget(self, rec: dict[str, Any]) -> None:
        return None

    def recover(self, live: Collection[str]) -> None:
        return None

    def settings(self, rec: dict[str, Any]) -> dict[str, Any]:
        return views.network_settings(rec)


class HostPathVolumes(ContainerVolumes):
    """Binds and tmpfs only (``ContainerVolumes`` without a VolumeService)."""

    def __init__(self) -> None:
        super().__init__(None)
