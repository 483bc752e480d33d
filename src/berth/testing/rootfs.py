"""A busybox root filesystem made locally from Debian's busybox-static (no registry needed)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
from pathlib import Path

BUSYBOX = Path("/bin/busybox")


def busybox_applets(busybox: Path = BUSYBOX) -> list[str]:
    """Applet paths (``bin/sh``, ``usr/bin/env`` …) as ``busybox --list-full`` names them."""
    out = subprocess.run([str(busybox), "--list-full"], check=True, capture_output=True,
                         text=True).stdout
    return [line.strip() for line in out.splitlines() if line.strip()]


def make_busybox_rootfs(target: Path, busybox: Path = BUSYBOX) -> Path:
    """Fill ``target`` with busybox, its applet symlinks and the usual empty directories."""
    if not busybox.exists():
        raise FileNotFoundError(f"{busybox} missing: install Debian's busybox-static")
    for d in ("bin", "sbin", "usr/bin", "usr/sbin", "etc", "dev", "proc", "sys", "tmp", "root",
              "home", "var", "run"):
        (target / d).mkdir(parents=True, exist_ok=True)
    os.chmod(target / "tmp", 0o1777)
    shutil.copy2(busybox, target / "bin/busybox")
    for applet in busybox_applets(busybox):
        link = target / applet
        if applet == "bin/busybox" or link.exists() or link.is_symlink():
            continue
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to("/bin/busybox")
    (target / "etc/passwd").write_text(
        "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n")
    (target / "etc/group").write_text("root:x:0:\nnogroup:x:65534:\n")
    return target


def make_busybox_tar(out: Path, workdir: Path) -> Path:
    """A rootfs tarball (uncompressed) of the busybox tree, entries relative to ``/``."""
    root = make_busybox_rootfs(workdir / "rootfs")
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as tf:
        for entry in sorted(root.iterdir()):
            tf.add(entry, arcname=entry.name)
    return out
