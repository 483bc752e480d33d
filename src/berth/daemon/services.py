"""Building the stores and services for one data-root (the composition itself).

Heavy modules are imported here, lazily, so ``berthd --help`` and config errors stay
fast. Storage driver: an explicit choice must work; "auto" reuses the driver this
data-root already has, else overlay when the kernel and filesystem allow it, else native.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from berth import errdefs

from .config import DaemonConfig
from .events import EventBus

log = logging.getLogger("berthd")
DRIVER_DIRS = {"overlay2": "overlay", "native": "native"}


@dataclass
class Services:
    driver: str
    images: Any  # berth.images.ImageService
    closers: list[Any]
    snapshotter: Any = None  # shared with the container service
    volumes: Any = None  # berth.volumes.VolumeService

    def close(self) -> None:
        for c in reversed(self.closers):
            try:
                c.close()
            except Exception:
                log.exception("closing %r", c)


def choose_driver(cfg: DaemonConfig) -> str:
    """``overlay2`` or ``native`` for this data-root."""
    from berth.snapshots import overlay_supported

    want = "overlay2" if cfg.storage_driver == "overlay" else cfg.storage_driver
    snaps = cfg.data_root / "snapshots"
    if not want:
        for driver, sub in DRIVER_DIRS.items():
            if (snaps / sub).is_dir():
                return driver
        return "overlay2" if overlay_supported(snaps) else "native"
    if want == "overlay2" and not overlay_supported(snaps):
        raise errdefs.FailedPrecondition(
            f"storage driver overlay2 is not supported on {snaps}: use --storage-driver native")
    return want


def build(cfg: DaemonConfig, bus: EventBus) -> Services:
    """Content store, snapshotter, metadata DB, the image and volume services."""
    from berth.content import LocalStore
    from berth.images import ImageService
    from berth.metadata import MetadataDB
    from berth.snapshots import NativeSnapshotter, OverlaySnapshotter
    from berth.volumes import VolumeService

    root: Path = cfg.data_root
    (root / "tmp").mkdir(parents=True, exist_ok=True)
    driver = choose_driver(cfg)
    snap_root = root / "snapshots" / DRIVER_DIRS[driver]
    snapshotter: Any = (OverlaySnapshotter(snap_root) if driver == "overlay2"
                        else NativeSnapshotter(snap_root))
    db = MetadataDB(root / "metadata.db")
    images = ImageService(root, LocalStore(root / "content"), snapshotter, db,
                          bus.image_publisher, graph_driver=driver)
    volumes = VolumeService(root, cfg.exec_root, bus.publish)
    return Services(driver, images, [db, snapshotter, volumes], snapshotter, volumes)
