"""Layers → committed snapshots named by chain ID (shared by every image that has them).

Each missing layer is applied into an active snapshot ``extract-<token>-<chain>`` on top of
its parent chain, its diff ID verified from the bytes actually applied, then committed
under the chain ID. A crash leaves only an ``extract-…`` snapshot, which GC removes.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from berth.content import LocalStore
from berth.errdefs import BerthError, Conflict, NotFound
from berth.images import _streams
from berth.images._ports import ApplyLayer, Snapshotter
from berth.metadata import LayerRecord, MetadataDB
from berth.metadata.gc import EXTRACT_PREFIX
from berth.oci import mediatypes as mt
from berth.oci.digest import Digest
from berth.oci.image import chain_ids


@dataclass(frozen=True)
class LayerBlob:
    """A layer as stored in content: its blob digest and declared media type."""

    blob: str
    media_type: str = ""


class Unpacker:
    """Unpacks an image's layers; ``hold`` registers in-flight names so GC spares them."""

    def __init__(self, content: LocalStore, snapshotter: Snapshotter, db: MetadataDB,
                 apply_layer: ApplyLayer, hold: Callable[[str], None]) -> None:
        self._content = content
        self._snap = snapshotter
        self._db = db
        self._apply = apply_layer
        self._hold = hold

    def unpack(self, layers: list[LayerBlob], diff_ids: list[str]) -> list[LayerRecord]:
        """Make sure every chain exists; returns the layer records for the image."""
        chains = chain_ids(diff_ids)
        out: list[LayerRecord] = []
        for i, (layer, diff_id) in enumerate(zip(layers, diff_ids, strict=True)):
            parent = chains[i - 1] if i else None
            self._hold(chains[i])
            out.append(self._ensure(layer, diff_id, chains[i], parent))
        return out

    def _ensure(self, layer: LayerBlob, diff_id: str, chain: str,
                parent: str | None) -> LayerRecord:
        blob_size = self._content.info(Digest(layer.blob)).size
        media_type = layer.media_type or self._media_type(layer.blob)
        if self._exists(chain):
            tar_size = self._known_tar_size(chain) or self._measure(layer.blob, diff_id)
        else:
            tar_size = self._apply_new(layer.blob, diff_id, chain, parent)
        return LayerRecord(diff_id, chain, layer.blob, media_type, blob_size, tar_size,
                           self._size(chain, tar_size))

    def _apply_new(self, blob: str, diff_id: str, chain: str, parent: str | None) -> int:
        key = f"{EXTRACT_PREFIX}{secrets.token_hex(6)}-{chain.removeprefix('sha256:')[:16]}"
        self._hold(key)
        self._snap.prepare(key, parent)
        try:
            with self._content.open(Digest(blob)) as f:
                result = self._apply(f, self._snap.upper_dir(key),
                                     whiteouts=self._snap.whiteout_mode)
            _streams.check_diff_id(str(result.digest), diff_id, f"layer {blob}")
            try:
                self._snap.commit(chain, key)
            except (Conflict, FileExistsError):
                if not self._exists(chain):  # someone else committed it meanwhile, or not
                    raise
                self._snap.remove(key)
            return int(result.size)
        except BaseException:
            with contextlib.suppress(BerthError, OSError):
                self._snap.remove(key)
            raise

    def _exists(self, name: str) -> bool:
        try:
            self._snap.stat(name)
        except (NotFound, FileNotFoundError, KeyError):
            return False
        return True

    def _size(self, chain: str, tar_size: int) -> int:
        """The layer's own bytes: overlay usage is the diff; copy-based snapshots hold the
        whole tree, so the tar size stands in for the diff there."""
        if self._snap.whiteout_mode != "overlay":
            return tar_size
        try:
            return int(getattr(self._snap.usage(chain), "size", 0))
        except (BerthError, OSError):
            return tar_size

    def _known_tar_size(self, chain: str) -> int:
        return self._db.tar_size_of_chain(chain)

    def _measure(self, blob: str, diff_id: str) -> int:
        with self._content.open(Digest(blob)) as f:
            digest, size = _streams.measure(f)
        _streams.check_diff_id(digest, diff_id, f"layer {blob}")
        return size

    def _media_type(self, blob: str) -> str:
        with self._content.open(Digest(blob)) as f:
            kind = _streams.sniff(f.read(4))
        return {"gzip": mt.OCI_LAYER_GZIP, "zstd": mt.OCI_LAYER_ZSTD}.get(kind, mt.OCI_LAYER)
