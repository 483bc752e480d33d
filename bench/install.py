"""``--install``: the reference engines from Debian's archive, and the cached Debian rootfs.

No init runs here, so package scripts must not start services: a temporary policy-rc.d
(exit 101) stops invoke-rc.d from launching a system dockerd or registry on the host's
default sockets (which would also rewrite the host's firewall).
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

from bench.images import CACHE, debian_tar

log = logging.getLogger("bench")

PACKAGES = ("docker.io", "podman", "crun", "runc", "docker-registry", "skopeo", "hyperfine",
            "debootstrap", "busybox-static", "wrk")
POLICY = Path("/usr/sbin/policy-rc.d")


def candidates(packages: tuple[str, ...] = PACKAGES) -> tuple[list[str], list[str]]:
    """Split ``packages`` into (installable, not in the archive) using apt-cache policy."""
    ok: list[str] = []
    missing: list[str] = []
    for pkg in packages:
        out = subprocess.run(["apt-cache", "policy", pkg], capture_output=True, text=True).stdout
        has = "Candidate:" in out and "Candidate: (none)" not in out
        (ok if has else missing).append(pkg)
    return ok, missing


def installed(pkg: str) -> bool:
    """True when dpkg has ``pkg`` fully installed."""
    p = subprocess.run(["dpkg-query", "-W", "-f=${Status}", pkg], capture_output=True, text=True)
    return p.stdout.strip() == "install ok installed"


@contextlib.contextmanager
def no_service_starts() -> Iterator[None]:
    """Forbid package scripts to start services for the duration (unless a policy exists)."""
    if POLICY.exists():
        yield
        return
    POLICY.write_text("#!/bin/sh\n# berth bench: no service starts during --install\nexit 101\n")
    POLICY.chmod(0o755)
    try:
        yield
    finally:
        POLICY.unlink(missing_ok=True)


def install() -> None:
    """apt-get install what is missing, then build the cached Debian rootfs tarball."""
    ok, missing = candidates()
    for pkg in missing:
        log.warning("install: %s has no candidate in this archive; skipped", pkg)
    todo = [p for p in ok if not installed(p)]
    if todo:
        log.info("install: apt-get install %s", " ".join(todo))
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        with no_service_starts():
            subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
            subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *todo],
                           check=True, env=env)
    CACHE.mkdir(parents=True, exist_ok=True)
    log.info("install: Debian minbase rootfs -> %s", debian_tar(CACHE, build=True))
