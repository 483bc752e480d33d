"""On-disk layout of the local content store (schema version 1).

::

    <root>/
      VERSION                       "1\\n"; a store with a higher version is refused
      blobs/<algo>/<hex>            verified blobs, mode 0444; appear only by rename(2)
      ingest/<sha256(ref)>/         one directory per in-progress write
        ref                         the caller's ref string (utf-8)
        data                        bytes received so far (the offset is its size)
        total                       expected total size, decimal (optional)
        expected                    expected digest (optional)
        lock                        flock(2) target: one writer per ref at a time
      ingest/.tmp-<pid>-<rand>/     an ingest directory being created; renamed into place

A blob is visible only when whole: ``data`` is fsynced, checked against size and digest,
then renamed into ``blobs/``. A crash at any instant leaves either an ingest (resumable or
abortable) or a blob, never a partial blob. Leftover ``.tmp-*`` directories of dead
processes and ingest directories whose ``data`` was already committed are swept on open.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from berth.oci.digest import Digest

SCHEMA_VERSION = 1
TMP_PREFIX = ".tmp-"


class Layout:
    """Path builders for one store root; the only place that knows the tree above."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.blobs = root / "blobs"
        self.ingest = root / "ingest"
        self.version_file = root / "VERSION"

    def blob(self, d: Digest) -> Path:
        return self.blobs / d.algorithm / d.encoded

    def ingest_dir(self, ref: str) -> Path:
        return self.ingest / hashlib.sha256(ref.encode()).hexdigest()
