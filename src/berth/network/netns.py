"""Network namespaces made and entered by threads, never by forking (berthd has threads).

A netns belongs to a thread, so a short-lived thread ``unshare(CLONE_NEWNET)``s, bind-mounts
its own ``/proc/thread-self/ns/net`` onto a file and dies: nothing ever switches back.
``run_in`` runs a function in a fresh thread that ``setns``ed into a path; sockets opened
there keep that namespace after the thread is gone. ``path=None`` means "the caller's
namespace" (the host's), so code can be written once for both.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from berth.sys import mount as sysmount
from berth.sys import ns

T = TypeVar("T")


def _in_thread(fn: Callable[[], T]) -> T:
    """Run ``fn`` in a new thread and return its result (or raise its exception)."""
    box: dict[str, Any] = {}

    def body() -> None:
        try:
            box["ok"] = fn()
        except BaseException as exc:  # handed to the caller
            box["err"] = exc

    t = threading.Thread(target=body, name="berth-netns", daemon=True)
    t.start()
    t.join()
    if "err" in box:
        raise box["err"]
    result: T = box["ok"]
    return result


def create(path: str | Path) -> str:
    """A new, empty network namespace (lo down) kept alive by a bind mount on ``path``."""
    path = str(path)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o444)
    os.close(fd)

    def body() -> None:
        ns.unshare(ns.CLONE_NEWNET)
        sysmount.mount("/proc/thread-self/ns/net", path, None, sysmount.MS_BIND)

    try:
        _in_thread(body)
    except BaseException:
        os.unlink(path)
        raise
    return path


def delete(path: str | Path) -> None:
    """Unmount and unlink; idempotent (a missing or unmounted file is fine)."""
    path = str(path)
    try:
        sysmount.umount(path, sysmount.MNT_DETACH)
    except OSError:
        pass
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def is_mounted(path: str | Path) -> bool:
    """Whether ``path`` holds a namespace (nsfs) rather than an empty placeholder."""
    try:
        return os.stat(path).st_dev != os.stat(Path(path).parent).st_dev
    except OSError:
        return False


def run_in(path: str | Path | None, fn: Callable[[], T]) -> T:
    """``fn()`` in a fresh thread inside the namespace at ``path`` (None: the caller's)."""
    if path is None:
        return fn()
    target = str(path)

    def body() -> T:
        fd = os.open(target, os.O_RDONLY | os.O_CLOEXEC)
        try:
            ns.setns(fd, ns.CLONE_NEWNET, f"network namespace {target}")
        finally:
            os.close(fd)
        return fn()

    return _in_thread(body)


def write_sysctl(name: str, value: str, path: str | Path | None = None) -> None:
    """``/proc/sys/<name>`` (a slash path: interface names may hold dots) inside the
    namespace at ``path``."""
    file = "/proc/sys/" + name

    def body() -> None:
        with open(file, "w") as f:
            f.write(value)

    run_in(path, body)
