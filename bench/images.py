"""Base images made locally, the same bytes for every engine: busybox and Debian minbase.

Docker Hub is unreachable here, so busybox comes from Debian's busybox-static and Debian from
debootstrap. The Debian rootfs is slow to build, so its tarball is cached once per machine in
CACHE; the busybox tarball is rebuilt each run (it takes milliseconds).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from bench.core import Unavailable
from bench.proc import remove_tree

CACHE = Path("/var/tmp/berth-bench")
DEBIAN_TAR = "debian-minbase-bookworm.tar.gz"
MIRROR = "http://deb.debian.org/debian"
BUSYBOX_REF = "busybox"
DEBIAN_REF = "berth-bench/debian:minbase"


def busybox_tar(workdir: Path) -> Path:
    """An uncompressed rootfs tarball of busybox, made with berth's own test helper."""
    try:
        from berth.testing.rootfs import make_busybox_tar
    except ImportError as e:
        raise Unavailable(f"berth.testing.rootfs missing: {e}") from e
    out = workdir / "busybox.tar"
    if not out.exists():
        scratch = workdir / "busybox-build"
        scratch.mkdir(parents=True, exist_ok=True)
        make_busybox_tar(out, scratch)
        shutil.rmtree(scratch, ignore_errors=True)
    return out


def busybox_rootfs(target: Path) -> Path:
    """A busybox root filesystem directory (for runtime bundles)."""
    from berth.testing.rootfs import make_busybox_rootfs
    return make_busybox_rootfs(target)


def debian_tar(cache: Path = CACHE, build: bool = False) -> Path:
    """The cached Debian minbase tarball; built with debootstrap when ``build`` is set."""
    out = cache / DEBIAN_TAR
    if out.exists():
        return out
    if not build:
        raise Unavailable(f"{out} missing: run with --install once to debootstrap it")
    if not shutil.which("debootstrap"):
        raise Unavailable("debootstrap not installed")
    _build_debian(out)
    return out


def _build_debian(out: Path) -> None:
    """debootstrap a minbase bookworm into a temp dir and tar it (numeric owners, gzip)."""
    root = out.parent / "debian-build"
    remove_tree(root)
    root.mkdir(parents=True)
    try:
        subprocess.run(["debootstrap", "--variant=minbase", "bookworm", str(root), MIRROR],
                       check=True, stdout=subprocess.DEVNULL)
        for junk in ("var/cache/apt/archives", "var/lib/apt/lists"):
            for f in (root / junk).glob("*"):
                if f.is_file():
                    f.unlink()
        tmp = out.with_suffix(".part")
        subprocess.run(["tar", "-C", str(root), "--numeric-owner", "--xattrs", "-czf", str(tmp),
                        "."], check=True)
        tmp.rename(out)
    finally:
        remove_tree(root)
