"""Container records on disk and the lookups docker clients rely on.

Layout (schema 1)::

    <data-root>/containers/<id>/config.v2.json   the record (docker's shape: ID, Name,
                                                 Created, Path, Args, Config, HostConfig,
                                                 State, Image, …, plus "SchemaVersion": 1)

Every write is temp + fsync + rename, so a crash leaves the old or the new record. A
directory without a readable record (a create interrupted before its first write) is
skipped at load and swept by :meth:`Store.load`. Lookups follow moby: full ID, then name,
then a unique ID prefix.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from berth._util.fsutil import TRASH_PREFIX, remove_later, remove_tree, write_atomic
from berth.errdefs import BerthError, Conflict, NotFound

from . import names

SCHEMA_VERSION = 1
log = logging.getLogger("berth.containers")


class AmbiguousPrefix(BerthError):
    """Several containers share the prefix (moby answers 500 with this text)."""


def new_id() -> str:
    """64 hex digits; never all digits, so a short ID is never mistaken for a number."""
    while True:
        cid = secrets.token_hex(32)
        if not cid[:12].isdigit():
            return cid


class Store:
    """In-memory index over the record files; thread-safe (callers share :attr:`lock`)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.lock = threading.RLock()
        self._recs: dict[str, dict[str, Any]] = {}
        self._names: dict[str, str] = {}

    def dir(self, cid: str) -> Path:
        return self.root / cid

    def load(self) -> None:
        """Read every record; drop directories a crashed create left without one."""
        self.root.mkdir(parents=True, exist_ok=True)
        for d in sorted(self.root.iterdir()):
            if d.name.startswith(TRASH_PREFIX):  # a removal's tree, not yet deleted
                remove_tree(d)
                continue
            path = d / "config.v2.json"
            try:
                rec = json.loads(path.read_bytes())
            except FileNotFoundError:
                log.warning("removing %s: no container record (interrupted create)", d)
                remove_tree(d)
                continue
            except (OSError, ValueError) as e:
                log.error("skipping container %s: unreadable record: %s", d.name, e)
                continue
            self._recs[rec["ID"]] = rec
            self._names[rec["Name"]] = rec["ID"]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        with self.lock:
            return iter(list(self._recs.values()))

    def __len__(self) -> int:
        return len(self._recs)

    def name_owner(self, name: str) -> str | None:
        with self.lock:
            return self._names.get(name)

    def reserve_name(self, name: str | None) -> str:
        """A free stored-form name: ``name`` validated, or a generated one."""
        with self.lock:
            if name is None or name == "":
                return names.generate(lambda n: n in self._names)
            full = names.validate(name)
            owner = self._names.get(full)
            if owner is not None:
                raise name_conflict(full, owner)
            return full

    def add(self, rec: dict[str, Any]) -> None:
        """Index and persist a new record; Conflict if its name was taken meanwhile."""
        with self.lock:
            owner = self._names.get(rec["Name"])
            if owner is not None:
                raise name_conflict(rec["Name"], owner)
            self.dir(rec["ID"]).mkdir(parents=True, exist_ok=True)
            self.save(rec, new=True)
            self._recs[rec["ID"]] = rec
            self._names[rec["Name"]] = rec["ID"]

    def save(self, rec: dict[str, Any], new: bool = False, durable: bool = True) -> None:
        """Persist ``rec``. A ``new`` record also fsyncs its directory (the name must
        survive a power loss); a rewrite fsyncs the file only: the entry exists already,
        so a lost rename leaves the previous record, whole and loadable. ``durable=False``
        skips the fsync too, for a state a durable write supersedes at once (a crash
        still leaves the old record or the new one)."""
        rec["SchemaVersion"] = SCHEMA_VERSION
        data = json.dumps(rec, separators=(",", ":")).encode()
        path = self.dir(rec["ID"]) / "config.v2.json"
        if new:
            write_atomic(path, data, 0o600)
            return
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
        try:
            os.write(fd, data)
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.rename(tmp, path)

    def sync(self, cid: str) -> None:
        """fsync a record saved with ``durable=False`` (gone already: nothing to do)."""
        try:
            fd = os.open(self.dir(cid) / "config.v2.json", os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            return
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def rename(self, rec: dict[str, Any], new: str) -> None:
        with self.lock:
            full = names.validate(new)
            owner = self._names.get(full)
            if owner is not None:
                raise name_conflict(full, owner)
            old = rec["Name"]
            rec["Name"] = full
            try:
                self.save(rec)
            except BaseException:
                rec["Name"] = old
                raise
            del self._names[old]
            self._names[full] = rec["ID"]

    def drop(self, cid: str) -> None:
        """Forget a container and delete its directory (the record first: the next load
        never sees a half-deleted container; the tree goes on a background thread)."""
        with self.lock:
            rec = self._recs.pop(cid, None)
            if rec is not None:
                self._names.pop(rec["Name"], None)
        d = self.dir(cid)
        (d / "config.v2.json").unlink(missing_ok=True)
        remove_later(d)

    def get(self, ref: str) -> dict[str, Any]:
        """The record ``ref`` names: full ID, name, or unique ID prefix."""
        with self.lock:
            if ref in self._recs:
                return self._recs[ref]
            by_name = self._names.get(ref if ref.startswith("/") else "/" + ref)
            if by_name is not None:
                return self._recs[by_name]
            hits = [cid for cid in self._recs if ref and cid.startswith(ref)]
        if len(hits) > 1:
            raise AmbiguousPrefix(f"Multiple IDs found with provided prefix: {ref}")
        if not hits:
            raise NotFound(f"No such container: {ref}")
        return self._recs[hits[0]]


def name_conflict(name: str, owner: str) -> Conflict:
    return Conflict(
        f'Conflict. The container name "{name}" is already in use by container "{owner}". '
        "You have to remove (or rename) that container to be able to reuse that name.")
