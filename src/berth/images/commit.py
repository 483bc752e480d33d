"""``docker commit`` on the image side: a parent image + one diff layer → a new image.

The caller (the container service) produces the layer (an uncompressed OCI layer tar of
the container's changes) and the merged container config; this module stores the layer
(its digest is then its diff ID), writes the config — parent's platform, rootfs plus the
new diff ID, history plus one entry, ``parent`` and ``container`` as moby writes them —
and registers the image like any other (blobs → unpacked snapshot → one transaction).
An empty diff (just the end-of-archive blocks) adds no layer and marks its history
entry ``empty_layer``, as moby does.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, BinaryIO

from berth.images.register import build_record, read_config
from berth.images.timefmt import format_nano
from berth.images.unpack import LayerBlob
from berth.oci import mediatypes as mt
from berth.oci import reference
from berth.oci.image import ContainerConfig, History, ImageConfig, RootFS, encode

if TYPE_CHECKING:
    from berth.images.service import ImageService

# sha256 of 1024 zero bytes: a tar with no entries
EMPTY_TAR = "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"


def commit_image(svc: ImageService, parent: str, layer: BinaryIO, *,
                 config: ContainerConfig, author: str = "", comment: str = "",
                 created_by: str = "", container: str = "", repo: str | None = None,
                 tag: str | None = None) -> str:
    ref = reference.parse_repo_tag(repo, tag) if repo else None
    prec = svc.resolve(parent)
    pcfg = read_config(svc.content, prec.id)
    with svc._writing() as held:
        hold = svc._holder(held)
        digest = str(svc.content.ingest_stream(layer))
        hold(digest)
        empty = digest == EMPTY_TAR
        created = format_nano(time.time())
        diff_ids = list(pcfg.rootfs.diff_ids) + ([] if empty else [digest])
        cfg = ImageConfig(
            architecture=pcfg.architecture, os=pcfg.os, variant=pcfg.variant,
            created=created, author=author, config=config, comment=comment,
            rootfs=RootFS(type="layers", diff_ids=diff_ids), parent=prec.id,
            container=container,
            history=[*pcfg.history, History(created=created, created_by=created_by,
                                            author=author, comment=comment,
                                            empty_layer=empty)])
        config_digest = svc.content.ingest_bytes(encode(cfg))
        hold(str(config_digest))
        blobs = [LayerBlob(ly.blob, ly.media_type) for ly in prec.layers]
        if not empty:
            blobs.append(LayerBlob(digest, mt.OCI_LAYER))
        rec = build_record(svc.content, svc._unpacker(held), config_digest, blobs,
                           parent=prec.id)
        with svc._lock, svc.db.transaction():
            svc.db.put_image(rec)
            if ref is not None:
                now = time.time()
                svc.db.set_ref(str(ref), rec.id, "tag", now)
                svc.db.set_last_tag_time(rec.id, now)
    if ref is not None:
        svc._publish("tag", rec.id, {"name": ref.familiar})
    return rec.id
