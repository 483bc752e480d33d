"""ctypes access to libc with errno turned into OSError (the one place that loads libc)."""

from __future__ import annotations

import ctypes
import os

# Named directly: ctypes.util.find_library spawns ldconfig and costs ~20 ms at import.
libc = ctypes.CDLL("libc.so.6", use_errno=True)


def check(ret: int, what: str, path: str | None = None) -> int:
    """Raise OSError(errno) naming ``what`` when a libc call returned -1."""
    if ret == -1:
        err = ctypes.get_errno()
        msg = f"{what}: {os.strerror(err)}"
        raise OSError(err, msg, path) if path is not None else OSError(err, msg)
    return ret
