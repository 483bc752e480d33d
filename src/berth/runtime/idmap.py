"""Idmapped bind mounts (``idmap``/``ridmap`` options), made in the host user namespace.

Setting MOUNT_ATTR_IDMAP needs privilege over the filesystem's user namespace, which
the init (inside the container's user namespace) lacks; so the parent clones the
source tree detached, maps it, and passes the fd to the init to ``move_mount``.
"""

from __future__ import annotations

import os
import signal

from berth.runtime.channel import ChildError
from berth.runtime.launch import Launch
from berth.sys import mount as m
from berth.sys import ns

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def idmapped_mounts(launch: Launch, idx: list[int], init_pid: int) -> list[int]:
    """One detached, idmapped mount fd per mount index."""
    fds: list[int] = []
    try:
        for i in idx:
            fds.append(_one(launch, launch.cfg["mounts"][i], i, init_pid))
    except BaseException:
        for fd in fds:
            os.close(fd)
        raise
    return fds


def _one(launch: Launch, mnt: dict[str, Any], i: int, init_pid: int) -> int:
    src = mnt.get("source") or ""
    if not src.startswith("/"):
        src = os.path.join(launch.bundle, src)
    opts = set(mnt.get("options") or ())
    recursive = "ridmap" in opts or "rbind" in opts
    flags = m.OPEN_TREE_CLONE | m.OPEN_TREE_CLOEXEC | (m.AT_RECURSIVE if recursive else 0)
    try:
        tree = m.open_tree(src, flags)
    except OSError as e:
        raise ChildError(f"mounts[{i}]: idmapped source {src}: {e.strerror}") from None
    try:
        userns = _userns_fd(mnt, init_pid)
        try:
            m.mount_setattr_idmap(tree, userns, recursive)
        finally:
            os.close(userns)
    except OSError as e:
        os.close(tree)
        raise ChildError(f"mounts[{i}]: cannot idmap {src}: {e.strerror}") from None
    return tree


def _userns_fd(mnt: dict[str, Any], init_pid: int) -> int:
    """The mount's own mappings (a throwaway user namespace), else the container's."""
    if not mnt.get("uidMappings") and not mnt.get("gidMappings"):
        return os.open(f"/proc/{init_pid}/ns/user", os.O_RDONLY | os.O_CLOEXEC)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            ns.unshare(ns.CLONE_NEWUSER)
            os.close(w)
            os.read(r, 1)
        finally:
            os._exit(0)
    os.close(r)
    try:
        _wait_userns(pid)
        for kind, field in (("uid", "uidMappings"), ("gid", "gidMappings")):
            text = "".join(f"{x['containerID']} {x['hostID']} {x['size']}\n"
                           for x in mnt.get(field) or ())
            with open(f"/proc/{pid}/{kind}_map", "w") as f:
                f.write(text)
        return os.open(f"/proc/{pid}/ns/user", os.O_RDONLY | os.O_CLOEXEC)
    finally:
        os.close(w)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


def _wait_userns(pid: int) -> None:
    """Until the child has unshared (its user ns differs from ours)."""
    mine = os.stat("/proc/self/ns/user").st_ino
    while os.stat(f"/proc/{pid}/ns/user").st_ino == mine:
        os.sched_yield()
