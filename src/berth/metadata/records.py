"""Row types of the metadata DB (plain data; see ``schema.py`` for the layout)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class LayerRecord:
    """One layer of an image: its blob, its diff and the snapshot it unpacked into."""

    diff_id: str
    chain_id: str
    blob: str
    media_type: str
    blob_size: int
    tar_size: int
    size: int


@dataclass(frozen=True)
class ImageRecord:
    """An image as the store knows it; ``id`` is the config digest."""

    id: str
    created: str = ""
    loaded_at: float = 0.0
    last_tag_time: float | None = None
    target_digest: str = ""
    target_media_type: str = ""
    platform: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    parent: str = ""
    top_chain: str = ""
    size: int = 0
    layers: tuple[LayerRecord, ...] = ()
    blobs: tuple[str, ...] = ()

    @property
    def chain_ids(self) -> list[str]:
        return [layer.chain_id for layer in self.layers]


@dataclass(frozen=True)
class RefRecord:
    """A tag (``docker.io/library/busybox:latest``) or digest reference to an image."""

    name: str
    image_id: str
    kind: str
    created: float
