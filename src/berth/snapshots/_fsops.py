"""Filesystem work the snapshotters share: full-fidelity tree copy and disk usage."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from berth.errdefs import FailedPrecondition
from berth.snapshots.snapshotter import Usage


def copy_tree(src: Path, dst: Path) -> None:
    """Copy ``src`` to a new ``dst`` keeping owners, modes, xattrs, hard links and devices.

    GNU ``cp -a`` does all of that and shares extents (reflink) where the filesystem can.
    """
    res = subprocess.run(["cp", "-a", "--reflink=auto", "--", str(src), str(dst)],
                         capture_output=True, text=True, check=False)
    if res.returncode:
        raise FailedPrecondition(f"copy {src} to {dst}: {res.stderr.strip()}")


def disk_usage(root: Path) -> Usage:
    """Allocated bytes and distinct inodes under ``root`` (hard links counted once)."""
    seen: set[int] = set()
    size = 0
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [".", *dirnames, *filenames]:
            st = os.lstat(os.path.join(dirpath, name))
            if st.st_ino in seen:
                continue
            seen.add(st.st_ino)
            size += st.st_blocks * 512
    return Usage(size=size, inodes=len(seen))


def copy_root_attrs(src: Path, dst: Path) -> None:
    """Give ``dst`` the owner and mode of ``src`` (an overlay upper's root shows in the merge)."""
    st = src.stat()
    os.chown(dst, st.st_uid, st.st_gid)
    os.chmod(dst, st.st_mode & 0o7777)
