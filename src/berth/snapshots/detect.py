"""Does overlayfs work on this filesystem? Asked by mounting a tiny overlay for real."""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

from berth.errdefs import BerthError
from berth.mount import Mount, mount_all, unmount_all


def overlay_supported(root: Path) -> bool:
    """True if an overlay with ``root``'s filesystem as upper can be mounted and written."""
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".overlay-check-", dir=root) as tmp:
        t = Path(tmp)
        for d in ("lower1", "lower2", "upper", "work", "merged"):
            (t / d).mkdir()
        (t / "lower1" / "probe").write_bytes(b"1")
        m = Mount("overlay", "overlay", [f"lowerdir={t / 'lower2'}:{t / 'lower1'}",
                                         f"upperdir={t / 'upper'}", f"workdir={t / 'work'}"])
        try:
            mount_all([m], t / "merged")
        except (BerthError, OSError):
            return False
        try:
            (t / "merged" / "probe").write_bytes(b"2")
            return (t / "upper" / "probe").read_bytes() == b"2"
        except OSError:
            return False
        finally:
            with contextlib.suppress(BerthError, OSError):
                unmount_all(t / "merged", detach=True)
