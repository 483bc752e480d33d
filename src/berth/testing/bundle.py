"""OCI bundles for tests: a busybox rootfs plus a config from ``berth.runtime.spec``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from berth.runtime.spec import default_spec
from berth.testing.rootfs import make_busybox_rootfs

_CACHE: dict[str, Path] = {}


def make_bundle(path: Path, args: list[str] | None = None, *, terminal: bool = False,
                rootfs_template: Path | None = None, **changes: Any) -> Path:
    """A bundle at ``path`` running ``args``; ``changes`` update the config's top level.

    ``rootfs_template``: copy this tree (faster than rebuilding busybox links each time).
    """
    path.mkdir(parents=True, exist_ok=True)
    rootfs = path / "rootfs"
    if rootfs_template is not None:
        shutil.copytree(rootfs_template, rootfs, symlinks=True)
    else:
        make_busybox_rootfs(rootfs)
    cfg = default_spec(args=args or ["true"], terminal=terminal)
    cfg["root"]["readonly"] = False
    cfg.update(changes)
    write_config(path, cfg)
    return path


def write_config(bundle: Path, cfg: dict[str, Any]) -> None:
    (bundle / "config.json").write_text(json.dumps(cfg, indent=2))


def read_config(bundle: Path) -> dict[str, Any]:
    return json.loads((bundle / "config.json").read_text())
