"""Descriptors and platforms (image-spec ``descriptor.md``), shared by index and manifest.

Structs are msgspec ``Struct``s: decoding ignores unknown fields (newer specs add some) and
encoding omits empty optionals so our own manifests come out in the spec's usual shape.
"""

from __future__ import annotations

import msgspec

from berth.errdefs import InvalidArgument
from berth.oci.digest import Digest


class Platform(msgspec.Struct, omit_defaults=True):
    """Where an image runs: ``linux/amd64``, ``linux/arm/v7``, ``windows/amd64`` + os.version."""

    architecture: str = ""
    os: str = ""
    os_version: str = msgspec.field(default="", name="os.version")
    os_features: list[str] = msgspec.field(default_factory=list, name="os.features")
    variant: str = ""
    features: list[str] = msgspec.field(default_factory=list)

    def __str__(self) -> str:
        parts = [self.os or "unknown", self.architecture or "unknown"]
        if self.variant:
            parts.append(self.variant)
        return "/".join(parts)


class Descriptor(msgspec.Struct, omit_defaults=True):
    """A typed, sized, content-addressed pointer to a blob."""

    mediaType: str
    digest: str
    size: int
    urls: list[str] = msgspec.field(default_factory=list)
    annotations: dict[str, str] = msgspec.field(default_factory=dict)
    platform: Platform | None = None
    artifactType: str = ""
    data: str = ""

    def __post_init__(self) -> None:
        if self.size < 0:
            raise InvalidArgument(f"descriptor {self.digest}: negative size {self.size}")
        Digest(self.digest)

    @property
    def dgst(self) -> Digest:
        """The digest as a validated :class:`Digest` (checked when decoded)."""
        return Digest(self.digest)
