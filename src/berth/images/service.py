"""The image service: docker's classic image model over content + snapshots + metadata.

The image ID is the config digest; tags and digest references point at it; layers live
once as committed snapshots named by chain ID. Methods are synchronous and thread-safe
(the API calls them from an executor). Writes follow one order — blobs, then snapshots,
then one DB transaction — so a crash leaves only unreferenced data, which :meth:`gc`
(run at start-up and after removals) sweeps.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from berth.content import LocalStore
from berth.errdefs import InvalidArgument
from berth.images import filters as flt
from berth.images import names, views
from berth.images._ports import ApplyLayer, InUse, Progress, Publish, Snapshotter
from berth.images.register import read_config
from berth.images.remove import Remover
from berth.images.timefmt import unix
from berth.images.unpack import Unpacker
from berth.metadata import ImageRecord, MetadataDB
from berth.metadata import gc as gcmod
from berth.oci import reference


def _default_apply() -> ApplyLayer:
    from berth.archive import apply_layer  # layer 1; imported late to keep startup light
    return apply_layer


class ImageService:
    """Everything the image endpoints need (list, inspect, tag, rmi, load, save, import)."""

    def __init__(self, data_root: Path, content: LocalStore, snapshotter: Snapshotter,
                 db: MetadataDB, publish: Publish | None = None, *,
                 apply_layer: ApplyLayer | None = None, in_use: InUse | None = None,
                 graph_driver: str = "overlay2") -> None:
        self.data_root = data_root
        self.content = content
        self.snapshotter = snapshotter
        self.db = db
        self.in_use: InUse = in_use if in_use is not None else (lambda _id: [])
        self.graph_driver = graph_driver
        self._publish = publish if publish is not None else (lambda _a, _i, _attrs: None)
        self._apply = apply_layer or _default_apply()
        self._lock = threading.RLock()
        self._busy = 0
        self._gc_pending = False
        self._inflight: Counter[str] = Counter()
        self._remover = Remover(db, lambda: self.in_use, self._publish)

    # -- bookkeeping -----------------------------------------------------------------------

    @contextmanager
    def _writing(self) -> Iterator[set[str]]:
        """An ingest in progress: its blobs and snapshots are GC roots until it ends."""
        held: set[str] = set()
        with self._lock:
            self._busy += 1
        try:
            yield held
        finally:
            with self._lock:
                self._busy -= 1
                self._inflight.subtract(held)
                self._inflight += Counter()  # drop zero counts
                rerun = self._gc_pending and not self._busy
            if rerun:
                self.gc()

    def _holder(self, held: set[str]) -> Any:
        def hold(name: str) -> None:
            with self._lock:
                if name not in held:
                    held.add(name)
                    self._inflight[name] += 1
        return hold

    def _unpacker(self, held: set[str]) -> Unpacker:
        return Unpacker(self.content, self.snapshotter, self.db, self._apply,
                        self._holder(held))

    # -- lookups ---------------------------------------------------------------------------

    def resolve(self, name: str) -> ImageRecord:
        """The image record ``name`` (ID, ID prefix, tag or digest reference) means."""
        return names.resolve(self.db, name)

    def rootfs_chain(self, image_id: str) -> str:
        """Top chain ID of an image: the committed snapshot a container's rootfs sits on."""
        return self.db.image(image_id).top_chain

    def image_config(self, name: str) -> Any:
        return read_config(self.content, self.resolve(name).id)

    def list_images(self, *, all: bool = False, filters: dict[str, list[str]] | None = None,
                    digests: bool = False) -> list[dict[str, Any]]:
        f = flt.validate(filters, flt.LIST_FILTERS)
        dangling = flt.dangling(f)
        before = [unix(self.resolve(n).created) for n in f.get("before", [])]
        since = [unix(self.resolve(n).created) for n in f.get("since", [])]
        until_ts = flt.until(f)
        match = flt.reference_matcher(f["reference"]) if f.get("reference") else None
        out = []
        for rec in self.db.list_images():
            refs = self.db.refs_of(rec.id)
            created = unix(rec.created)
            if dangling is not None and (not refs) != dangling:
                continue
            if not all and not refs and self.db.children(rec.id):
                continue
            if any(created >= b for b in before) or any(created <= s for s in since):
                continue
            if until_ts is not None and created > until_ts:
                continue
            if f.get("label") and not flt.label_match(rec.labels, f["label"]):
                continue
            if match is not None:
                refs = [r for r in refs if _ref_matches(match, r.name)]
                if not refs:
                    continue
            out.append(views.summary(rec, refs))
        out.sort(key=lambda s: s["Created"], reverse=True)
        return out

    def inspect_image(self, name: str) -> dict[str, Any]:
        rec = self.resolve(name)
        cfg = read_config(self.content, rec.id)
        driver = {"Name": self.graph_driver, "Data": {"RootfsChain": rec.top_chain}}
        return views.inspect(rec, cfg, self.db.refs_of(rec.id), driver)

    def image_history(self, name: str) -> list[dict[str, Any]]:
        rec = self.resolve(name)
        return views.history(rec, read_config(self.content, rec.id), self.db.refs_of(rec.id))

    def counts(self) -> dict[str, int]:
        return {"Images": len(self.db.list_images())}

    def disk_usage(self) -> dict[str, Any]:
        images = self.db.list_images()
        uses: Counter[str] = Counter(ly.chain_id for rec in images for ly in rec.layers)
        sizes = {ly.chain_id: ly.size for rec in images for ly in rec.layers}
        out = []
        for rec in images:
            shared = sum(ly.size for ly in rec.layers if uses[ly.chain_id] > 1)
            out.append(views.summary(rec, self.db.refs_of(rec.id),
                                     containers=len(self.in_use(rec.id)), shared_size=shared))
        return {"LayersSize": sum(sizes.values()), "Images": out}

    # -- references ------------------------------------------------------------------------

    def tag_image(self, source: str, repo: str, tag: str | None = None) -> None:
        ref = reference.parse_repo_tag(repo, tag)
        with self._lock:
            rec = self.resolve(source)
            now = time.time()
            with self.db.transaction():
                self.db.set_ref(str(ref), rec.id, "tag", now)
                self.db.set_last_tag_time(rec.id, now)
        self._publish("tag", rec.id, {"name": ref.familiar})

    def remove_image(self, name: str, *, force: bool = False, noprune: bool = False
                     ) -> list[dict[str, str]]:
        with self._lock:
            rec = self.resolve(name)
            with self.db.transaction():
                out = self._remover.remove(name, rec, force=force, noprune=noprune)
        if any("Deleted" in r for r in out):
            self.gc()
        return out

    def prune_images(self, filters: dict[str, list[str]] | None = None) -> dict[str, Any]:
        from berth.images.prune import prune
        return prune(self, filters)

    # -- load / save / import --------------------------------------------------------------

    def load_images(self, stream: BinaryIO, *, progress: Progress | None = None) -> list[str]:
        from berth.images.load import load
        try:
            return load(self, stream, progress or (lambda _m: None))
        finally:
            self.gc()  # the tarball's unused files, or everything of a failed load

    def save_images(self, names_: list[str], out: BinaryIO) -> None:
        from berth.images.load import save
        save(self, names_, out)

    def import_image(self, stream: BinaryIO, *, repo: str | None = None,
                     tag: str | None = None, changes: list[str] | None = None,
                     message: str = "", platform: str | None = None) -> str:
        from berth.images.importer import import_rootfs
        try:
            return import_rootfs(self, stream, repo=repo, tag=tag, changes=changes or [],
                                 message=message, platform=platform)
        except BaseException:
            self.gc()
            raise

    def commit_image(self, parent: str, layer: BinaryIO, *, config: Any, author: str = "",
                     comment: str = "", created_by: str = "", container: str = "",
                     repo: str | None = None, tag: str | None = None) -> str:
        """``docker commit``: ``parent`` plus one layer tar (uncompressed) → image ID."""
        from berth.images.commit import commit_image
        try:
            return commit_image(self, parent, layer, config=config, author=author,
                                comment=comment, created_by=created_by,
                                container=container, repo=repo, tag=tag)
        except BaseException:
            self.gc()
            raise

    # -- garbage collection ----------------------------------------------------------------

    def gc(self) -> gcmod.GCResult:
        """Sweep blobs and snapshots no image references; skipped while an ingest runs."""
        with self._lock:
            if self._busy:
                self._gc_pending = True  # the last ingest to finish runs it
                return gcmod.GCResult()
            self._gc_pending = False
            return gcmod.collect(self.db, self.content, self.snapshotter,
                                 inflight_blobs=set(self._inflight),
                                 inflight_snapshots=set(self._inflight))


def _ref_matches(match: Any, name: str) -> bool:
    try:
        ref = reference.parse(name)
    except InvalidArgument:
        return False
    return bool(match(ref.familiar, ref.familiar_name))
