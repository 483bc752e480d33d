"""Memory of process trees from /proc: PSS (shared pages split fairly) and RSS, in MiB."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from pathlib import Path


def rollup(pid: int, proc: Path = Path("/proc")) -> dict[str, int]:
    """The kB fields of /proc/<pid>/smaps_rollup (empty if the process is gone)."""
    fields: dict[str, int] = {}
    with contextlib.suppress(OSError):
        for line in (proc / str(pid) / "smaps_rollup").read_text().splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[2] == "kB":
                fields[parts[0].rstrip(":")] = int(parts[1])
    return fields


def tree_mib(pids: Iterable[int], proc: Path = Path("/proc")) -> dict[str, float]:
    """Summed PSS and RSS of ``pids`` in MiB."""
    pss = rss = 0
    for pid in pids:
        r = rollup(pid, proc)
        pss += r.get("Pss", 0)
        rss += r.get("Rss", 0)
    return {"pss": pss / 1024, "rss": rss / 1024}
