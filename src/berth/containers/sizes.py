"""``SizeRw`` and ``SizeRootFs`` (``inspect --size``, ``ps -s``) as moby computes them:
the apparent size of the files in the container's writable layer, and that plus the
image's size. Walks the snapshot's upper tree, so only on request."""

from __future__ import annotations

import os
from typing import Any

from berth.errdefs import BerthError


def rw_size(snapshotter: Any, key: str) -> int:
    """Bytes of regular files and symlinks in the writable layer (hard links once;
    directories and whiteouts count nothing, as moby's ChangesSize)."""
    try:
        upper = snapshotter.upper_dir(key)
    except BerthError:
        return 0
    seen: set[int] = set()
    total = 0
    for dirpath, _dirs, files in os.walk(upper):
        for name in files:
            try:
                st = os.lstat(os.path.join(dirpath, name))
            except OSError:
                continue  # written or removed while we walk
            if st.st_ino in seen or st.st_rdev:  # whiteouts are 0/0 char devices
                continue
            seen.add(st.st_ino)
            total += st.st_size
    return total


def sizes(rec: dict[str, Any], snapshotter: Any, images: Any) -> dict[str, int]:
    rw = rw_size(snapshotter, rec["SnapshotKey"])
    try:
        image = images.resolve(rec["Image"]).size
    except BerthError:
        image = 0
    return {"SizeRw": rw, "SizeRootFs": rw + image}
