"""The ``Networks`` and ``Volumes`` berth used before their services existed; kept for
tests and tools that build a ContainerService without them: a private netns holding only
``lo`` (host networking shares the host's), and binds/tmpfs straight from HostConfig."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

from . import etcfiles, views
from ._ports import NetPlan
from .specgen import mounts as mnt


class LoopbackNetworks:
    def check_create(self, rec: dict[str, Any]) -> None:
        return None

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


class HostPathVolumes:
    def check_create(self, rec: dict[str, Any]) -> None:
        mnt.user_mounts(rec["HostConfig"])

    def mount(self, rec: dict[str, Any], rootfs: Path) -> list[dict[str, Any]]:
        mounts = mnt.user_mounts(rec["HostConfig"])
        mnt.make_bind_sources(mounts)
        return mounts

    def unmount(self, rec: dict[str, Any]) -> None:
        return None

    def release(self, rec: dict[str, Any], remove_anonymous: bool) -> None:
        return None

    def mounts_view(self, rec: dict[str, Any]) -> list[dict[str, Any]]:
        return views.mounts(rec)
