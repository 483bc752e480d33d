"""Removing everything an engine under test left below its private root: the processes
that name the root on their command line (containerd, shims, conmon), the mounts under
it (deepest first), then the tree. Used by tests that start other engines' daemons."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path


def pids_mentioning(text: str) -> list[int]:
    """Processes (not this one) whose command line contains ``text``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                if text.encode() in f.read():
                    found.append(int(entry))
        except OSError:
            continue
    return found


def mounts_under(base: Path) -> list[str]:
    with open("/proc/self/mountinfo") as f:
        points = [line.split()[4] for line in f]
    return [p for p in points if p == str(base) or p.startswith(f"{base}/")]


def scrub(base: Path) -> None:
    """SIGKILL what names ``base``, lazily unmount what is under it, delete it."""
    for pid in pids_mentioning(str(base)):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    for target in sorted(mounts_under(base), key=len, reverse=True):
        subprocess.run(["umount", "-l", target], check=False, capture_output=True)
    shutil.rmtree(base, ignore_errors=True)
