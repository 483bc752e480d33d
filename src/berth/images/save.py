"""Writing ``docker save`` tarballs in docker ≥ 25's shape, which docker, skopeo
(``docker-archive:``) and OCI tools all read::

    blobs/sha256/<config>      image config (the image ID)
    blobs/sha256/<diff_id>     each layer as an *uncompressed* tar, written once
    blobs/sha256/<manifest>    an OCI manifest per image (uncompressed layer descriptors)
    index.json                 one entry per tag (io.containerd.image.name + ref.name)
    manifest.json              [{Config, RepoTags, Layers}] pointing into blobs/
    oci-layout, repositories

The tar is streamed (``w|``), so ``out`` need not be seekable.
"""

from __future__ import annotations

import io
import json
import tarfile
from dataclasses import dataclass
from typing import Any, BinaryIO

from berth.content import LocalStore
from berth.images import _streams
from berth.metadata import ImageRecord
from berth.oci import mediatypes as mt
from berth.oci import reference
from berth.oci.descriptor import Descriptor
from berth.oci.digest import Digest, sha256
from berth.oci.image import Manifest, encode

NAME_ANNOTATION = "io.containerd.image.name"
REF_ANNOTATION = "org.opencontainers.image.ref.name"


@dataclass
class SaveItem:
    image: ImageRecord
    refs: list[str]  # full tag references, e.g. docker.io/library/busybox:latest


class _Writer:
    def __init__(self, out: BinaryIO, content: LocalStore) -> None:
        self.tf = tarfile.open(  # noqa: SIM115 - closed by write_archive
            fileobj=out, mode="w|", format=tarfile.PAX_FORMAT)
        self.content = content
        self.written: set[str] = set()
        for d in ("blobs", "blobs/sha256"):
            ti = tarfile.TarInfo(d)
            ti.type, ti.mode = tarfile.DIRTYPE, 0o755
            self.tf.addfile(ti)

    def add_bytes(self, path: str, data: bytes) -> None:
        self.tf.addfile(_info(path, len(data)), io.BytesIO(data))

    def add_blob_bytes(self, data: bytes) -> Digest:
        d = sha256(data)
        if d not in self.written:
            self.add_bytes(_blob_path(d), data)
            self.written.add(d)
        return d

    def add_layer(self, blob: str, diff_id: str, tar_size: int) -> None:
        """The layer's uncompressed tar under its diff ID, verified as it is copied."""
        if diff_id in self.written:
            return
        with self.content.open(Digest(blob)) as f:
            reader = _streams.HashingReader(_streams.decompressed(f))
            self.tf.addfile(_info(_blob_path(diff_id), tar_size), reader)
            _streams.check_diff_id(reader.digest, diff_id, f"layer {blob}")
        self.written.add(diff_id)


def _blob_path(d: str) -> str:
    algo, _, hexpart = d.partition(":")
    return f"blobs/{algo}/{hexpart}"


def _info(path: str, size: int) -> tarfile.TarInfo:
    ti = tarfile.TarInfo(path)
    ti.size = size
    ti.mode = 0o644
    return ti


def write_archive(items: list[SaveItem], content: LocalStore, out: BinaryIO) -> None:
    w = _Writer(out, content)
    index: list[dict[str, Any]] = []
    manifest_json: list[dict[str, Any]] = []
    repositories: dict[str, dict[str, str]] = {}
    for item in items:
        rec = item.image
        config = content.read_bytes(Digest(rec.id))
        w.add_blob_bytes(config)
        for layer in rec.layers:
            w.add_layer(layer.blob, layer.diff_id, layer.tar_size)
        manifest = Manifest(
            schemaVersion=2, mediaType=mt.OCI_MANIFEST,
            config=Descriptor(mediaType=mt.OCI_CONFIG, digest=rec.id, size=len(config)),
            layers=[Descriptor(mediaType=mt.OCI_LAYER, digest=ly.diff_id, size=ly.tar_size)
                    for ly in rec.layers])
        mdata = encode(manifest)
        mdigest = w.add_blob_bytes(mdata)
        mdesc = {"mediaType": mt.OCI_MANIFEST, "digest": mdigest, "size": len(mdata)}
        familiar: list[str] = []
        for name in item.refs:
            ref = reference.parse(name)
            familiar.append(ref.familiar)
            index.append({**mdesc, "annotations": {NAME_ANNOTATION: str(ref),
                                                   REF_ANNOTATION: ref.tag}})
            if rec.layers:
                repositories.setdefault(ref.familiar_name, {})[ref.tag] = \
                    rec.layers[-1].diff_id.removeprefix("sha256:")
        if not item.refs:
            index.append(mdesc)
        manifest_json.append({"Config": _blob_path(rec.id), "RepoTags": familiar or None,
                              "Layers": [_blob_path(ly.diff_id) for ly in rec.layers]})
    w.add_bytes("index.json", _json({"schemaVersion": 2, "mediaType": mt.OCI_INDEX,
                                     "manifests": index}))
    w.add_bytes("manifest.json", _json(manifest_json))
    w.add_bytes("oci-layout", _json({"imageLayoutVersion": mt.OCI_LAYOUT_VERSION}))
    if repositories:
        w.add_bytes("repositories", _json(repositories))
    w.tf.close()


def _json(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode() + b"\n"
