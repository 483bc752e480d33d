"""``docker image prune``: dangling images by default, or every unused one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from berth.images import filters as flt
from berth.images.timefmt import unix

if TYPE_CHECKING:
    from berth.images.service import ImageService


def prune(svc: ImageService, filters: dict[str, list[str]] | None) -> dict[str, Any]:
    f = flt.validate(filters, flt.PRUNE_FILTERS)
    dangling_only = flt.dangling(f, default=True)
    until_ts = flt.until(f)
    deleted: list[dict[str, str]] = []
    sizes: dict[str, int] = {}
    with svc._lock:
        for rec in svc.db.list_images():
            refs = svc.db.refs_of(rec.id)
            if (dangling_only and refs) or svc.in_use(rec.id) or svc.db.children(rec.id):
                continue
            if until_ts is not None and unix(rec.created) >= until_ts:
                continue
            if f.get("label") and not flt.label_match(rec.labels, f["label"]):
                continue
            if f.get("label!") and flt.label_excluded(rec.labels, f["label!"]):
                continue
            with svc.db.transaction():
                deleted += svc._remover.remove(rec.id, rec, force=True, noprune=False)
            sizes.update({ly.chain_id: ly.size for ly in rec.layers})
        result = svc.gc() if deleted else None
    freed = sum(sizes.get(s, 0) for s in (result.snapshots if result else []))
    svc._publish("prune", "", {"reclaimed": str(freed)})
    return {"ImagesDeleted": deleted or None, "SpaceReclaimed": freed}
