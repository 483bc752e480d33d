"""The bridge the bridged dockerd uses instead of ``docker0``, and the lock around it.

Every dockerd started with ``--bridge none`` (the bench's own plain dockerd, the
privileged dockerd-compat tests, another helper's bench run) deletes ``docker0`` when it
starts (dockerd 20.10's ``removeDefaultBridgeInterface``); a bridged dockerd that owns
``docker0`` then fails every later container with "could not find bridge docker0". So the
bench creates its own bridge (dockerd creates only ``docker0`` itself) and hands it over with
``--bridge``; dockerd takes the subnet from the bridge's address. A host-wide flock keeps two
bench runs from sharing that bridge and docker's iptables chains (each bridged dockerd
flushes them when it starts).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import subprocess
import time
from pathlib import Path

from bench.core import Unavailable

log = logging.getLogger("bench")

NAME = "berthbench0"
# RFC 2544's benchmarking range: outside docker's and berth's address pools (172.17-31/16,
# 192.168/16) and podman's 10.88/16, so no engine on the host elects the same subnet.
ADDRESS = "198.18.0.1/24"
LOCK = Path("/run/lock/berth-bench-docker-net.lock")


def _ip(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", *args], capture_output=True, text=True, check=check)


def exists(name: str = NAME) -> bool:
    """True when a link called ``name`` is there."""
    return _ip("link", "show", "dev", name, check=False).returncode == 0


class BenchBridge:
    """Holds the lock, then (re)creates ``NAME`` with ``ADDRESS``; ``close`` undoes both."""

    def __init__(self, wait: float = 900.0) -> None:
        self.wait = wait
        self._lock_fd: int | None = None

    def open(self) -> str:
        """Take the lock (waiting for another run's bridged dockerd), make the bridge, and
        return its name."""
        self._take_lock()
        try:
            if exists():  # left by a run that was SIGKILLed: nothing else uses it under the lock
                _ip("link", "del", "dev", NAME)
            _ip("link", "add", "name", NAME, "type", "bridge")
            _ip("addr", "add", ADDRESS, "dev", NAME)
            _ip("link", "set", "dev", NAME, "up")
        except subprocess.CalledProcessError as e:
            self.close()
            raise Unavailable(f"docker: cannot create bridge {NAME}: {e.stderr.strip()}") from e
        return NAME

    def close(self) -> None:
        """Delete the bridge (its veths went with the containers) and release the lock."""
        try:
            if self._lock_fd is not None and exists():
                _ip("link", "del", "dev", NAME, check=False)
        finally:
            if self._lock_fd is not None:
                os.close(self._lock_fd)  # closing the descriptor drops the flock
                self._lock_fd = None

    def _take_lock(self) -> None:
        LOCK.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        end = time.monotonic() + self.wait
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > end:
                    os.close(fd)
                    raise Unavailable(f"docker: another bench run's bridged dockerd held {LOCK} "
                                      f"for {self.wait:.0f} s") from None
                if not told:
                    log.info("waiting for another bench run's bridged dockerd (%s)", LOCK)
                    told = True
                time.sleep(0.5)
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        self._lock_fd = fd
