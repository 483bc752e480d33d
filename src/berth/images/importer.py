"""``docker import``: a rootfs tarball (plain, gzip or zstd) becomes a one-layer image.

The layer is stored uncompressed (its digest is then its diff ID), unpacked like any
other, and described by a config built from ``changes`` (Dockerfile instructions).
"""

from __future__ import annotations

import io
import time
from typing import TYPE_CHECKING, Any, BinaryIO, cast

from berth.errdefs import InvalidArgument
from berth.images import _streams
from berth.images.changes import apply_changes
from berth.images.register import build_record
from berth.images.timefmt import format_nano
from berth.images.unpack import LayerBlob
from berth.oci import mediatypes as mt
from berth.oci import platforms, reference
from berth.oci.image import ContainerConfig, History, ImageConfig, RootFS, encode

if TYPE_CHECKING:
    from berth.images.service import ImageService


def import_rootfs(svc: ImageService, stream: BinaryIO, *, repo: str | None, tag: str | None,
                  changes: list[str], message: str, platform: str | None) -> str:
    ref = reference.parse_repo_tag(repo, tag) if repo else None
    if tag and not repo:
        raise InvalidArgument("tag given without repository")
    plat = platforms.parse(platform) if platform else platforms.host()
    config = apply_changes(ContainerConfig(), changes)
    with svc._writing() as held:
        hold = svc._holder(held)
        layer = svc.content.ingest_stream(_plain(stream))
        hold(str(layer))
        created = format_nano(time.time())
        comment = message or "Imported from -"
        cfg = ImageConfig(
            architecture=plat.architecture, os=plat.os, variant=plat.variant, created=created,
            config=config, rootfs=RootFS(type="layers", diff_ids=[str(layer)]),
            history=[History(created=created, comment=comment)], comment=comment)
        config_digest = svc.content.ingest_bytes(encode(cfg))
        hold(str(config_digest))
        rec = build_record(svc.content, svc._unpacker(held), config_digest,
                           [LayerBlob(str(layer), mt.OCI_LAYER)])
        with svc._lock, svc.db.transaction():
            svc.db.put_image(rec)
            if ref is not None:
                now = time.time()
                svc.db.set_ref(str(ref), rec.id, "tag", now)
                svc.db.set_last_tag_time(rec.id, now)
    svc._publish("import", rec.id, {"name": ref.familiar if ref else rec.id})
    return rec.id


def _plain(stream: BinaryIO) -> BinaryIO:
    """The uncompressed tar; refuses input that is not a tar archive at all."""
    reader: Any = io.BufferedReader(cast(Any, _streams.decompressed(stream)), 1 << 20)
    head = reader.peek(512)[:512]
    if len(head) < 512 or (head[257:262] != b"ustar" and not _v7_header(head)):
        raise InvalidArgument("invalid tar archive: not a tar stream")
    return cast(BinaryIO, reader)


def _v7_header(head: bytes) -> bool:
    """Old-style tar headers have no magic; check the header checksum instead."""
    try:
        stored = int(head[148:156].split(b"\0", 1)[0].strip() or b"0", 8)
    except ValueError:
        return False
    return stored == sum(head[:148]) + 8 * 32 + sum(head[156:512])
