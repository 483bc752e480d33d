"""Reading the image plans out of a staged tarball: ``docker save`` or OCI image layout.

A *plan* is one image to register: config blob, layer blobs in order, the manifest (or
index) it came from, and the references to tag. Docker's ``manifest.json`` wins when both
are present (docker ≥ 25 writes both); otherwise ``index.json`` is read, following nested
indexes to the host platform's manifest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import msgspec

from berth.content import LocalStore
from berth.errdefs import BerthError, InvalidArgument
from berth.images.staging import Staged
from berth.images.unpack import LayerBlob
from berth.oci import mediatypes as mt
from berth.oci import platforms, reference
from berth.oci.descriptor import Descriptor, Platform
from berth.oci.digest import Digest
from berth.oci.image import Index, parse_index, parse_manifest, sniff_media_type
from berth.oci.reference import Reference

NAME_ANNOTATION = "io.containerd.image.name"
REF_ANNOTATION = "org.opencontainers.image.ref.name"


@dataclass
class Plan:
    config: Digest
    layers: list[LayerBlob]
    refs: list[Reference] = field(default_factory=list)
    target: str = ""
    target_media_type: str = ""
    blobs: list[str] = field(default_factory=list)


class _DockerEntry(msgspec.Struct):
    Config: str
    Layers: list[str] = msgspec.field(default_factory=list)
    RepoTags: list[str] | None = None


def plans(staged: Staged, content: LocalStore, want: Platform | None = None) -> list[Plan]:
    if "manifest.json" in staged.meta:
        return docker_plans(staged)
    if "index.json" in staged.meta:
        return oci_plans(staged, content, want or platforms.host())
    raise InvalidArgument("invalid archive: no manifest.json or index.json found")


def docker_plans(staged: Staged) -> list[Plan]:
    try:
        entries = msgspec.json.decode(staged.meta["manifest.json"], type=list[_DockerEntry])
    except (msgspec.DecodeError, msgspec.ValidationError) as err:
        raise InvalidArgument(f"invalid archive: manifest.json: {err}") from None
    out = []
    for entry in entries:
        refs = [_tagged_ref(t) for t in entry.RepoTags or []]
        layers = [LayerBlob(str(staged.blob(p))) for p in entry.Layers]
        out.append(Plan(config=staged.blob(entry.Config), layers=layers, refs=refs))
    return out


def _tagged_ref(name: str) -> Reference:
    ref = reference.parse(name)
    if not ref.tag or ref.digest:
        raise InvalidArgument(f"invalid archive: invalid tag {name!r} in manifest.json")
    return ref


def oci_plans(staged: Staged, content: LocalStore, want: Platform) -> list[Plan]:
    layout = staged.meta.get("oci-layout")
    if layout is not None:
        _check_layout(layout)
    index = parse_index(staged.meta["index.json"])
    by_target: dict[str, Plan] = {}
    for desc in index.manifests:
        plan = by_target.get(desc.digest) or _plan_for(desc, content, want)
        by_target[desc.digest] = plan
        ref = _name_of(desc)
        if ref is not None and ref not in plan.refs:
            plan.refs.append(ref)
    return list(by_target.values())


def _check_layout(data: bytes) -> None:
    try:
        version = msgspec.json.decode(data, type=dict[str, Any]).get("imageLayoutVersion")
    except msgspec.DecodeError as e:
        raise InvalidArgument(f"invalid archive: oci-layout: {e}") from None
    if version != mt.OCI_LAYOUT_VERSION:
        raise InvalidArgument(f"invalid archive: unsupported OCI layout version {version!r}")


def _name_of(desc: Descriptor) -> Reference | None:
    """The image name a layout entry carries; a bare tag in ref.name names nothing."""
    for key in (NAME_ANNOTATION, REF_ANNOTATION):
        value = desc.annotations.get(key, "")
        if "/" in value or ":" in value:
            try:
                ref = reference.parse(value)
            except BerthError:
                continue
            if ref.digest and not ref.tag:
                continue
            return ref.tagged()
    return None


def _read(content: LocalStore, desc: Descriptor) -> bytes:
    d = desc.dgst
    if not content.exists(d):
        raise InvalidArgument(f"invalid archive: blob {d} is missing")
    info = content.info(d)
    if info.size != desc.size:
        raise InvalidArgument(f"invalid archive: blob {d} has size {info.size}, "
                              f"descriptor says {desc.size}")
    return content.read_bytes(d)


def _plan_for(desc: Descriptor, content: LocalStore, want: Platform, depth: int = 0) -> Plan:
    if depth > 4:
        raise InvalidArgument("invalid archive: indexes nested too deeply")
    data = _read(content, desc)
    media_type = desc.mediaType or sniff_media_type(data)
    if media_type in mt.INDEXES:
        index: Index = parse_index(data)
        chosen = platforms.select_manifest(index.manifests, want)
        plan = _plan_for(chosen, content, want, depth + 1)
        plan.target, plan.target_media_type = desc.digest, media_type
        plan.blobs.append(desc.digest)
        return plan
    if media_type not in mt.MANIFESTS:
        raise InvalidArgument(f"invalid archive: unsupported media type {media_type}")
    manifest = parse_manifest(data)
    _read(content, manifest.config)
    for layer in manifest.layers:
        if not content.exists(layer.dgst):
            raise InvalidArgument(f"invalid archive: layer blob {layer.digest} is missing")
    return Plan(config=manifest.config.dgst,
                layers=[LayerBlob(lay.digest, lay.mediaType) for lay in manifest.layers],
                target=desc.digest, target_media_type=media_type, blobs=[desc.digest])
