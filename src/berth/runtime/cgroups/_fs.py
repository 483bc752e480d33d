"""Reading and writing cgroupfs interface files with errors that name the file and the field.

cgroupfs answers bad values with EINVAL/ERANGE and missing controllers with ENOENT; the raw
OSError says neither which spec field nor which file was involved, so every write here does.
"""

from __future__ import annotations

import errno
import os
import time

from berth.errdefs import FailedPrecondition, InvalidArgument
from berth.runtime.cgroups._path import CgPath

TYPE_CHECKING = False
if TYPE_CHECKING:
    from berth.runtime.cgroups._path import StrPath

MAX_U64 = 2**64 - 1


def write(path: CgPath, value: str | int, field: str = "") -> None:
    """Write one value to an interface file (no O_CREAT: cgroupfs files already exist)."""
    data = str(value).encode()
    what = f"{field}: " if field else ""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC | os.O_TRUNC)
    except FileNotFoundError:
        raise FailedPrecondition(
            f"{what}{path} does not exist (controller not enabled or kernel lacks it)") from None
    try:
        os.write(fd, data)
    except OSError as e:
        kind = InvalidArgument if e.errno in (errno.EINVAL, errno.ERANGE) else FailedPrecondition
        raise kind(f"{what}cannot write {str(value)!r} to {path}: {os.strerror(e.errno or 0)}"
                   ) from e
    finally:
        os.close(fd)


def read(path: CgPath) -> str:
    """Whole file, stripped."""
    with open(path, "rb") as f:
        return f.read().decode().strip()


def read_int(path: CgPath, default: int = 0) -> int:
    """An integer file; ``max`` reads as 2**64-1, a missing file as ``default``."""
    try:
        text = read(path)
    except FileNotFoundError:
        return default
    if text == "max":
        return MAX_U64
    return int(text.split()[0]) if text else default


def read_keyed(path: CgPath) -> dict[str, int]:
    """``key value`` lines (memory.stat, cpu.stat, memory.events …); missing file → {}."""
    try:
        text = read(path)
    except FileNotFoundError:
        return {}
    out: dict[str, int] = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2:
            out[parts[0]] = MAX_U64 if parts[1] == "max" else int(parts[1])
    return out


def read_pids(path: CgPath) -> list[int]:
    """The pids in a cgroup.procs file (empty when it vanished)."""
    try:
        return [int(x) for x in read(path).split()]
    except FileNotFoundError:
        return []


def rmdir_tree(top: StrPath, timeout: float) -> None:
    """Remove ``top`` and its child cgroups, deepest first, retrying EBUSY while tasks exit.

    cgroup dirs cannot be removed while they hold processes; exiting processes linger for a
    moment after SIGKILL, so EBUSY is retried until ``timeout``, then reported with the pids.
    """
    top = CgPath(top)
    try:
        os.rmdir(top)  # the usual case: no child cgroups, no tasks left
        return
    except FileNotFoundError:
        return
    except OSError as e:
        if e.errno not in (errno.EBUSY, errno.ENOTEMPTY):
            raise FailedPrecondition(f"cannot remove cgroup {top}: {e.strerror}") from e
    dirs = [CgPath(d) for d, _, _ in os.walk(top)]
    for d in sorted(dirs, key=lambda p: len(p.parts), reverse=True):
        _rmdir_retry(d, timeout)


def _rmdir_retry(d: CgPath, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    delay = 0.001
    while True:
        try:
            os.rmdir(d)
            return
        except FileNotFoundError:
            return
        except OSError as e:
            if e.errno != errno.EBUSY or time.monotonic() >= deadline:
                pids = read_pids(d / "cgroup.procs")
                raise FailedPrecondition(
                    f"cannot remove cgroup {d}: {os.strerror(e.errno or 0)}"
                    + (f" (processes still inside: {pids})" if pids else "")) from e
        time.sleep(delay)
        delay = min(delay * 2, 0.05)
