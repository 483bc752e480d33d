"""``X-Docker-Container-Path-Stat``: a file's stat as moby's ``ContainerPathStat`` JSON.

The docker CLI decides how to copy from it (directory or not, symlink to follow), so the
``mode`` must be Go's ``os.FileMode`` bits, not a Unix ``st_mode``: type bits live in the
top of the uint32 (``ModeDir`` is 1<<31, ``ModeSymlink`` 1<<27, …) and setuid/setgid/
sticky have their own bits. ``mtime`` is RFC 3339 with nanoseconds, as Go marshals
``time.Time``. The header value is base64 (standard alphabet) of the JSON.
"""

from __future__ import annotations

import base64
import json
import os
import stat
from datetime import UTC, datetime
from typing import Any

MODE_DIR = 1 << 31
MODE_SYMLINK = 1 << 27
MODE_DEVICE = 1 << 26
MODE_NAMED_PIPE = 1 << 25
MODE_SOCKET = 1 << 24
MODE_SETUID = 1 << 23
MODE_SETGID = 1 << 22
MODE_CHAR_DEVICE = 1 << 21
MODE_STICKY = 1 << 20

_TYPES = {stat.S_IFDIR: MODE_DIR, stat.S_IFLNK: MODE_SYMLINK, stat.S_IFBLK: MODE_DEVICE,
          stat.S_IFCHR: MODE_DEVICE | MODE_CHAR_DEVICE, stat.S_IFIFO: MODE_NAMED_PIPE,
          stat.S_IFSOCK: MODE_SOCKET}


def go_file_mode(st_mode: int) -> int:
    """Unix ``st_mode`` → Go ``os.FileMode`` (as ``fs.FileMode`` of ``os.Lstat``)."""
    mode = (st_mode & 0o777) | _TYPES.get(stat.S_IFMT(st_mode), 0)
    if st_mode & stat.S_ISUID:
        mode |= MODE_SETUID
    if st_mode & stat.S_ISGID:
        mode |= MODE_SETGID
    if st_mode & stat.S_ISVTX:
        mode |= MODE_STICKY
    return mode


def is_dir(go_mode: int) -> bool:
    return bool(go_mode & MODE_DIR)


def go_time(ns: int) -> str:
    """RFC 3339 with up to 9 fraction digits (trailing zeros dropped), UTC."""
    secs, frac = divmod(ns, 10**9)
    base = datetime.fromtimestamp(secs, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    digits = f"{frac:09d}".rstrip("0")
    return f"{base}.{digits}Z" if digits else f"{base}Z"


def path_stat(name: str, st: os.stat_result, link_target: str = "") -> dict[str, Any]:
    """moby's ``container.PathStat`` for an ``lstat`` result."""
    return {"name": name, "size": st.st_size, "mode": go_file_mode(st.st_mode),
            "mtime": go_time(st.st_mtime_ns), "linkTarget": link_target}


def encode_header(ps: dict[str, Any]) -> str:
    return base64.standard_b64encode(json.dumps(ps, separators=(",", ":")).encode()).decode()


def decode_header(value: str) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(base64.standard_b64decode(value))
    return out
