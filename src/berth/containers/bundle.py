"""The OCI bundle of a starting container: rootfs mounted, /etc files, ``config.json``.

``<exec-root>/containers/<id>/`` holds ``config.json`` and the ``rootfs`` mount point; the
snapshot's mounts are stacked there before specgen runs (it reads the image's
/etc/passwd and creates a missing WorkingDir). ``unmount`` is idempotent and runs on
every exit, failed start and removal.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from berth.mount import mount_all, unmount_all

from . import etcfiles, specgen
from ._ports import Networks, Volumes


def mount_rootfs(snapshotter: Any, key: str, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    if os.path.ismount(target):
        return
    mount_all(snapshotter.mounts(key), target)


def unmount(target: Path) -> None:
    if target.exists():
        try:
            unmount_all(target, detach=True)
        except Exception:  # nothing mounted, or already gone
            if os.path.ismount(target):
                raise


def prepare(rec: dict[str, Any], snapshotter: Any, ctr_dir: Path, state_dir: Path,
            networks: Networks, volumes: Volumes) -> Callable[[], None] | None:
    """Mount, attach networking and volumes, generate and write the bundle; undo every
    step again (unmount, detach) if a later one fails. Returns the networking's
    ``NetPlan.plumb`` (kernel work still due before the container's process runs)."""
    rootfs = state_dir / "rootfs"
    state_dir.mkdir(parents=True, exist_ok=True)
    for stale in ("exit.json", "monitor.pid", "monitor.sock"):
        (state_dir / stale).unlink(missing_ok=True)
    mount_rootfs(snapshotter, rec["SnapshotKey"], rootfs)
    try:
        user_mounts = volumes.mount(rec, rootfs)
        try:
            plan = networks.attach(rec, ctr_dir)
            try:
                spec = specgen.generate(rec, rootfs, plan.etc, netns=plan.netns,
                                        user_mounts=user_mounts, net_env=plan.env)
                etcfiles.replace_file(state_dir / "config.json", json.dumps(spec).encode(),
                                      0o600)
            except BaseException:
                networks.detach(rec)
                raise
        except BaseException:
            volumes.unmount(rec)
            raise
    except BaseException:
        unmount(rootfs)
        raise
    return plan.plumb


def release(rec: dict[str, Any], rootfs: Path, networks: Networks, volumes: Volumes) -> None:
    """After an exit or a failed start: the reverse of ``prepare`` (each step idempotent)."""
    try:
        networks.detach(rec)
    finally:
        try:
            volumes.unmount(rec)
        finally:
            unmount(rootfs)


def spawn_request(rec: dict[str, Any], state_dir: Path, runtime_root: Path,
                  seccomp_cache: Path | None = None, start: bool = False) -> dict[str, Any]:
    """The spawner's request for this container (docs/design/containers.md); ``start``:
    the monitor starts the container as soon as it is created."""
    cfg, log_cfg = rec["Config"], rec["HostConfig"]["LogConfig"]
    opts = log_cfg.get("Config") or {}
    return {
        "id": rec["ID"], "bundle": str(state_dir), "runtime_root": str(runtime_root),
        "state_dir": str(state_dir),
        "log": {"driver": log_cfg["Type"], "path": rec["LogPath"],
                "max_size": opts.get("max-size"), "max_file": opts.get("max-file"),
                "compress": opts.get("compress") in ("true", "1")},
        "tty": bool(cfg.get("Tty")), "stdin": bool(cfg.get("OpenStdin")),
        # moby closes a container's stdin at the attach's end only without a TTY
        # (CopyStreams: CloseStdin && !TTY): a detach from `run -it` keeps it running
        "stdin_once": bool(cfg.get("StdinOnce")) and not cfg.get("Tty"),
        "seccomp_cache": str(seccomp_cache) if seccomp_cache else None,
        "start": start,
    }
