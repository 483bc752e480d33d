"""Turning what users type into image records, as moby's ``GetImage`` does.

Order: a full ID (``sha256:<hex>`` or 64 hex), then a reference (tag, or digest when one
is given), then a unique ID prefix. Misses say ``No such image: busybox:latest``.
"""

from __future__ import annotations

import re

from berth.errdefs import InvalidArgument, NotFound
from berth.metadata import ImageRecord, MetadataDB, RefRecord
from berth.oci import reference
from berth.oci.reference import Reference

_FULL_ID = re.compile(r"^(?:sha256:)?([a-f0-9]{64})$")
_PREFIX = re.compile(r"^(?:sha256:)?([a-f0-9]{1,63})$")


def resolve(db: MetadataDB, name: str) -> ImageRecord:
    """The image ``name`` means; NotFound (moby's wording) if none."""
    m = _FULL_ID.match(name)
    if m:
        rec = db.get_image(f"sha256:{m.group(1)}")
        if rec is None:
            raise NotFound(f"No such image: sha256:{m.group(1)}")
        return rec
    try:
        ref = reference.parse(name)
    except InvalidArgument:
        ref = None
        if not _PREFIX.match(name):
            raise
    if ref is not None:
        rec = _by_ref(db, ref)
        if rec is not None:
            return rec
    by_prefix = _by_prefix(db, name)
    if by_prefix is not None:
        return by_prefix
    shown = ref.tagged().familiar if ref is not None else name
    raise NotFound(f"No such image: {shown}")


def _by_ref(db: MetadataDB, ref: Reference) -> ImageRecord | None:
    key = str(ref.with_digest(ref.digest)) if ref.digest else str(ref.tagged())
    row = db.get_ref(key)
    return db.get_image(row.image_id) if row is not None else None


def _by_prefix(db: MetadataDB, name: str) -> ImageRecord | None:
    m = _PREFIX.match(name)
    if not m:
        return None
    ids = db.ids_with_prefix(m.group(1))
    return db.get_image(ids[0]) if len(ids) == 1 else None


def is_id_like(name: str, image_id: str) -> bool:
    """Did the user name the image by (a prefix of) its ID rather than by a reference?"""
    hexid = image_id.removeprefix("sha256:")
    bare = name.removeprefix("sha256:")
    return bool(bare) and hexid.startswith(bare) and bool(_PREFIX.match(name) or
                                                          _FULL_ID.match(name))


def familiar(ref_name: str) -> str:
    """``docker.io/library/busybox:latest`` → ``busybox:latest`` for display."""
    return reference.parse(ref_name).familiar


def repo_tags(refs: list[RefRecord]) -> list[str]:
    return [familiar(r.name) for r in refs if r.kind == "tag"]


def repo_digests(refs: list[RefRecord]) -> list[str]:
    return [familiar(r.name) for r in refs if r.kind == "digest"]
