"""``docker load`` and ``docker save`` on top of the service's stores.

Load stages every blob into content (verified), reads the plans, unpacks every image
(verifying diff IDs), and only then registers all images and tags in one transaction:
a bad or hostile tarball registers nothing, and its blobs are left for GC.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, BinaryIO

from berth.errdefs import InvalidArgument, NotFound
from berth.images import formats, staging
from berth.images._ports import Progress
from berth.images.register import build_record
from berth.images.save import SaveItem, write_archive
from berth.metadata import ImageRecord
from berth.oci import reference

if TYPE_CHECKING:
    from berth.images.service import ImageService


def load(svc: ImageService, stream: BinaryIO, progress: Progress) -> list[str]:
    with svc._writing() as held:
        hold = svc._holder(held)
        staged = staging.stage(stream, svc.content, hold)
        try:
            plans = formats.plans(staged, svc.content)
        except NotFound as e:
            raise InvalidArgument(f"invalid archive: {e}") from None
        unpacker = svc._unpacker(held)
        built: list[tuple[ImageRecord, formats.Plan]] = []
        for plan in plans:
            hold(str(plan.config))
            rec = build_record(svc.content, unpacker, plan.config, plan.layers,
                               target=plan.target, target_media_type=plan.target_media_type,
                               blobs=plan.blobs)
            built.append((rec, plan))
        return _register(svc, built, progress)


def _register(svc: ImageService, built: list[tuple[ImageRecord, formats.Plan]],
              progress: Progress) -> list[str]:
    loaded: list[str] = []
    events: list[tuple[str, str, dict[str, str]]] = []
    with svc._lock, svc.db.transaction():
        now = time.time()
        for rec, plan in built:
            svc.db.put_image(rec)
            for ref in plan.refs:
                old = svc.db.set_ref(str(ref), rec.id, "tag", now)
                if old is not None and old != rec.id:
                    progress({"stream": f"The image {ref.familiar} already exists, renaming "
                                        f"the old one with ID {old} to empty string\n"})
                svc.db.set_last_tag_time(rec.id, now)
                loaded.append(ref.familiar)
                progress({"stream": f"Loaded image: {ref.familiar}\n"})
                events.append(("load", rec.id, {"name": ref.familiar}))
            if not plan.refs:
                loaded.append(rec.id)
                progress({"stream": f"Loaded image ID: {rec.id}\n"})
                events.append(("load", rec.id, {"name": rec.id}))
    for action, actor, attrs in events:
        svc._publish(action, actor, attrs)
    return loaded


def _items(svc: ImageService, names_: list[str]) -> list[SaveItem]:
    """Each name → (image, tags to write); a bare repository name means all its tags."""
    items: dict[str, SaveItem] = {}
    for name in names_:
        rec = svc.resolve(name)
        item = items.setdefault(rec.id, SaveItem(rec, []))
        if _is_bare_repo(name, rec.id):
            repo = reference.parse(name).name
            for other in svc.db.all_refs():
                if other.kind == "tag" and reference.parse(other.name).name == repo:
                    target = svc.db.image(other.image_id)
                    it = items.setdefault(target.id, SaveItem(target, []))
                    if other.name not in it.refs:
                        it.refs.append(other.name)
        elif not _looks_like_id(name, rec.id):
            ref = reference.parse(name)
            if ref.tag and not ref.digest and str(ref.tagged()) not in item.refs:
                item.refs.append(str(ref.tagged()))
    return list(items.values())


def _looks_like_id(name: str, image_id: str) -> bool:
    from berth.images.names import is_id_like
    return is_id_like(name, image_id)


def _is_bare_repo(name: str, image_id: str) -> bool:
    if _looks_like_id(name, image_id):
        return False
    ref = reference.parse(name)
    return not ref.tag and not ref.digest


def save(svc: ImageService, names_: list[str], out: BinaryIO) -> None:
    if not names_:
        raise InvalidArgument("no images specified")
    with svc._writing():
        items = _items(svc, names_)
        write_archive(items, svc.content, out)
    for item in items:
        svc._publish("save", item.image.id, {"name": item.image.id})
