"""Image index, manifest and config (image-spec v1.1 and Docker schema2), and chain IDs.

Decoding is tolerant (unknown fields are ignored, Docker-only fields are kept where docker
shows them); encoding is canonical: compact JSON, fields in declaration order, empty
optionals omitted, so the same struct always hashes to the same digest.
"""

from __future__ import annotations

import hashlib
from typing import Any, TypeVar

import msgspec

from berth.errdefs import InvalidArgument
from berth.oci import mediatypes as mt
from berth.oci.descriptor import Descriptor
from berth.oci.digest import Digest

T = TypeVar("T")


class HealthConfig(msgspec.Struct, omit_defaults=True):
    """``HEALTHCHECK``; durations are nanoseconds as in moby."""

    Test: list[str] = msgspec.field(default_factory=list)
    Interval: int = 0
    Timeout: int = 0
    StartPeriod: int = 0
    StartInterval: int = 0
    Retries: int = 0


class ContainerConfig(msgspec.Struct, omit_defaults=True):
    """The ``config`` object of an image config: defaults for containers run from it."""

    User: str = ""
    ExposedPorts: dict[str, dict[str, Any]] | None = None
    Env: list[str] | None = None
    Entrypoint: list[str] | None = None
    Cmd: list[str] | None = None
    Healthcheck: HealthConfig | None = None
    ArgsEscaped: bool = False
    Volumes: dict[str, dict[str, Any]] | None = None
    WorkingDir: str = ""
    Labels: dict[str, str] | None = None
    StopSignal: str = ""
    OnBuild: list[str] | None = None
    Shell: list[str] | None = None


class RootFS(msgspec.Struct):
    type: str = "layers"
    diff_ids: list[str] = msgspec.field(default_factory=list)


class History(msgspec.Struct, omit_defaults=True):
    created: str = ""
    created_by: str = ""
    author: str = ""
    comment: str = ""
    empty_layer: bool = False


class ImageConfig(msgspec.Struct, omit_defaults=True):
    """The image config blob; its digest is the image ID."""

    architecture: str = ""
    os: str = ""
    created: str = ""
    author: str = ""
    config: ContainerConfig | None = None
    rootfs: RootFS = msgspec.field(default_factory=RootFS)
    history: list[History] = msgspec.field(default_factory=list)
    variant: str = ""
    os_version: str = msgspec.field(default="", name="os.version")
    os_features: list[str] = msgspec.field(default_factory=list, name="os.features")
    # Docker schema2 extras, shown by `docker inspect`.
    comment: str = ""
    docker_version: str = ""
    parent: str = ""
    container: str = ""

    def __post_init__(self) -> None:
        for d in self.rootfs.diff_ids:
            Digest(d)

    def layer_history(self) -> list[History]:
        """History entries that carry a layer (``empty_layer`` false)."""
        return [h for h in self.history if not h.empty_layer]


class Manifest(msgspec.Struct, omit_defaults=True):
    schemaVersion: int
    config: Descriptor
    layers: list[Descriptor] = msgspec.field(default_factory=list)
    mediaType: str = ""
    artifactType: str = ""
    subject: Descriptor | None = None
    annotations: dict[str, str] = msgspec.field(default_factory=dict)


class Index(msgspec.Struct, omit_defaults=True):
    schemaVersion: int
    manifests: list[Descriptor] = msgspec.field(default_factory=list)
    mediaType: str = ""
    artifactType: str = ""
    subject: Descriptor | None = None
    annotations: dict[str, str] = msgspec.field(default_factory=dict)


def decode(data: bytes, typ: type[T], what: str = "") -> T:
    """Decode JSON into ``typ``; any malformation becomes InvalidArgument naming ``what``."""
    try:
        return msgspec.json.decode(data, type=typ)
    except (msgspec.DecodeError, msgspec.ValidationError, InvalidArgument) as e:
        raise InvalidArgument(f"invalid {what or typ.__name__}: {e}") from None


def encode(obj: Any) -> bytes:
    """Canonical compact JSON for a struct (stable across runs, so digests are stable)."""
    return msgspec.json.encode(obj)


def parse_manifest(data: bytes) -> Manifest:
    m = decode(data, Manifest, "image manifest")
    if m.schemaVersion != 2:
        raise InvalidArgument(f"unsupported manifest schemaVersion {m.schemaVersion}")
    if m.mediaType and m.mediaType not in mt.MANIFESTS:
        raise InvalidArgument(f"unexpected manifest media type {m.mediaType}")
    return m


def parse_index(data: bytes) -> Index:
    ix = decode(data, Index, "image index")
    if ix.schemaVersion != 2:
        raise InvalidArgument(f"unsupported index schemaVersion {ix.schemaVersion}")
    return ix


def parse_config(data: bytes) -> ImageConfig:
    return decode(data, ImageConfig, "image config")


def sniff_media_type(data: bytes) -> str:
    """Media type of a manifest-ish blob that may not declare one (older Docker/OCI)."""
    probe = decode(data, dict[str, Any], "manifest")
    declared = probe.get("mediaType")
    if isinstance(declared, str) and declared:
        return declared
    if "manifests" in probe:
        return mt.OCI_INDEX
    if "config" in probe:
        return mt.OCI_MANIFEST
    raise InvalidArgument("blob is neither an image index nor a manifest")


def chain_ids(diff_ids: list[str]) -> list[str]:
    """ChainID of every prefix (image-spec ``config.md``): C0 = D0, Cn = H(Cn-1 + " " + Dn)."""
    out: list[str] = []
    for d in diff_ids:
        Digest(d)
        if not out:
            out.append(d)
        else:
            h = hashlib.sha256(f"{out[-1]} {d}".encode()).hexdigest()
            out.append(f"sha256:{h}")
    return out


def chain_id(diff_ids: list[str]) -> str:
    """The ChainID of the whole stack; ``""`` for an image with no layers."""
    ids = chain_ids(diff_ids)
    return ids[-1] if ids else ""
