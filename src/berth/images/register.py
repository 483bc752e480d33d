"""From verified blobs to an image record: read the config, unpack, describe."""

from __future__ import annotations

import time

from berth.content import LocalStore
from berth.errdefs import InvalidArgument
from berth.images.unpack import LayerBlob, Unpacker
from berth.metadata import ImageRecord
from berth.oci.digest import Digest
from berth.oci.image import ImageConfig, chain_id, parse_config

CONFIG_MAX = 8 << 20


def read_config(content: LocalStore, image_id: str) -> ImageConfig:
    return parse_config(content.read_bytes(Digest(image_id), max_size=CONFIG_MAX))


def build_record(content: LocalStore, unpacker: Unpacker, config: Digest,
                 layers: list[LayerBlob], *, target: str = "", target_media_type: str = "",
                 blobs: list[str] | tuple[str, ...] = (), parent: str = "") -> ImageRecord:
    """Unpack ``layers`` (verifying each against the config's diff IDs) and describe them."""
    cfg = read_config(content, config)
    diff_ids = cfg.rootfs.diff_ids
    if cfg.rootfs.type != "layers":
        raise InvalidArgument(f"image {config}: unsupported rootfs type {cfg.rootfs.type!r}")
    if len(diff_ids) != len(layers):
        raise InvalidArgument(f"image {config}: config lists {len(diff_ids)} layers, "
                              f"manifest has {len(layers)}")
    records = unpacker.unpack(layers, diff_ids)
    platform = "/".join(p for p in (cfg.os, cfg.architecture, cfg.variant) if p)
    labels = dict(cfg.config.Labels or {}) if cfg.config else {}
    return ImageRecord(
        id=str(config), created=cfg.created, loaded_at=time.time(), target_digest=target,
        target_media_type=target_media_type, platform=platform, labels=labels,
        parent=parent, top_chain=chain_id(diff_ids), size=sum(r.size for r in records),
        layers=tuple(records), blobs=tuple(blobs))
