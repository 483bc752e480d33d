"""``docker rmi`` and ``docker image prune`` semantics (moby ``image_delete.go``).

Removing by reference untags that reference (and the repository's digest references once
no tag of it is left); the image itself goes only when nothing references it. Removing by
ID untags everything, refusing without ``force`` when several repositories or containers
use it. Dependent child images always block deletion.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from berth.errdefs import Conflict
from berth.images import names
from berth.images._ports import InUse
from berth.metadata import ImageRecord, MetadataDB, RefRecord
from berth.oci import reference

Record = dict[str, str]


class Remover:
    def __init__(self, db: MetadataDB, in_use: Callable[[], InUse],
                 publish: Callable[[str, str, dict[str, str]], None]) -> None:
        self._db = db
        self._in_use = in_use
        self._publish = publish

    def remove(self, name: str, rec: ImageRecord, *, force: bool, noprune: bool
               ) -> list[Record]:
        refs = self._db.refs_of(rec.id)
        users = self._in_use()(rec.id)
        out: list[Record] = []
        if not names.is_id_like(name, rec.id):
            if len(refs) <= 1 and users and not force:
                raise Conflict(
                    f'conflict: unable to remove repository reference "{name}" (must force) - '
                    f"container {users[0][:12]} is using its referenced image "
                    f"{_short(rec.id)}")
            remaining = self._untag_one(name, rec, refs, out)
            if remaining:
                return out
            self._delete(rec, out, force=force, noprune=noprune, quiet=True)
            return out
        if not force and len({reference.parse(r.name).name for r in refs}) > 1:
            raise Conflict(f"conflict: unable to delete {_short(rec.id)} (must be forced) - "
                           "image is referenced in multiple repositories")
        if users and not force:
            raise Conflict(f"conflict: unable to delete {_short(rec.id)} (must be forced) - "
                           f"image is being used by stopped container {users[0][:12]}")
        self._check_children(rec)
        for r in refs:
            self._untag(r, rec.id, out)
        self._delete(rec, out, force=force, noprune=noprune, quiet=False)
        return out

    def _untag_one(self, name: str, rec: ImageRecord, refs: list[RefRecord],
                   out: list[Record]) -> list[RefRecord]:
        ref = reference.parse(name)
        key = str(ref.with_digest(ref.digest)) if ref.digest else str(ref.tagged())
        target = next((r for r in refs if r.name == key), None)
        if target is None:  # e.g. name:tag@digest resolved through the digest
            target = next(r for r in refs if r.name.startswith(ref.name))
        self._untag(target, rec.id, out)
        remaining = [r for r in refs if r.name != target.name]
        if target.kind == "tag":
            same_repo = [r for r in remaining if reference.parse(r.name).name == ref.name]
            if not any(r.kind == "tag" for r in same_repo):
                for r in same_repo:
                    self._untag(r, rec.id, out)
                    remaining.remove(r)
        return remaining

    def _untag(self, r: RefRecord, image_id: str, out: list[Record]) -> None:
        self._db.delete_ref(r.name)
        shown = names.familiar(r.name)
        out.append({"Untagged": shown})
        self._publish("untag", image_id, {"name": shown})

    def _check_children(self, rec: ImageRecord) -> None:
        if self._db.children(rec.id):
            raise Conflict(f"conflict: unable to delete {_short(rec.id)} (cannot be forced) - "
                           "image has dependent child images")

    def _delete(self, rec: ImageRecord, out: list[Record], *, force: bool, noprune: bool,
                quiet: bool) -> None:
        if self._db.children(rec.id) or self._db.refs_of(rec.id) or \
                (self._in_use()(rec.id) and not force):
            if quiet:
                return
            self._check_children(rec)
        self._db.delete_image(rec.id)
        out.append({"Deleted": rec.id})
        self._publish("delete", rec.id, {"name": rec.id})
        parent = self._db.get_image(rec.parent) if rec.parent else None
        if parent is not None and not noprune and not self._db.refs_of(parent.id) \
                and not self._in_use()(parent.id):
            self._delete(parent, out, force=False, noprune=False, quiet=True)


def _short(image_id: str) -> str:
    return image_id.removeprefix("sha256:")[:12]


def prune_candidates(db: MetadataDB, images: list[ImageRecord], keep: Callable[[Any], bool]
                     ) -> list[ImageRecord]:
    """Top-level images (no children) the filter ``keep`` does not protect."""
    return [rec for rec in images if not db.children(rec.id) and not keep(rec)]
