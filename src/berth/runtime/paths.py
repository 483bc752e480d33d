"""Resolve container paths inside the rootfs without letting symlinks climb out."""

from __future__ import annotations

import os


def secure_join(root: str, path: str) -> str:
    """``root``/``path`` with every symlink resolved as if ``root`` were ``/``."""
    parts = [p for p in path.split("/") if p not in ("", ".")]
    done: list[str] = []
    links = 0
    while parts:
        part = parts.pop(0)
        if part == "..":
            if done:
                done.pop()
            continue
        full = os.path.join(root, *done, part)
        try:
            target = os.readlink(full)
        except OSError:
            done.append(part)
            continue
        links += 1
        if links > 255:
            raise OSError(40, f"too many levels of symbolic links in {path}", path)
        if target.startswith("/"):
            done = []
        parts = [p for p in target.split("/") if p not in ("", ".")] + parts
    return os.path.join(root, *done)


def make_target(path: str, is_dir: bool, mode: int = 0o755) -> None:
    """Create a mount target: a directory, or an empty file (for a file bind)."""
    if is_dir:
        os.makedirs(path, mode=mode, exist_ok=True)
        return
    os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
    if not os.path.lexists(path):
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY | os.O_CLOEXEC, 0o644))
