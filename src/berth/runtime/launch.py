"""What the parent hands its forked children: one record, shared by copy-on-write."""

from __future__ import annotations

from typing import Any

from berth.sys import ns

#: setns order after the user namespace; mount last, so the other paths still resolve.
JOIN_ORDER = ("ipc", "uts", "network", "pid", "cgroup", "time", "mount")


class Launch:
    """A container init (``exec_mode`` False) or a process exec'd into a container.

    ``join`` maps namespace types to paths to enter; types in ``new`` are created.
    (A plain class: ``dataclasses`` pulls in ``inspect``, too slow for the CLI's startup.)
    """

    def __init__(self, cid: str, cfg: dict[str, Any], proc: dict[str, Any], *,
                 bundle: str = "", rootfs: str = "", state_dir: str = "",
                 exec_mode: bool = False, no_pivot: bool = False, no_new_keyring: bool = False,
                 preserve_fds: int = 0, join: dict[str, str] | None = None,
                 new: set[str] | None = None) -> None:
        self.cid, self.cfg, self.proc = cid, cfg, proc
        self.bundle, self.rootfs, self.state_dir = bundle, rootfs, state_dir
        self.exec_mode, self.no_pivot, self.no_new_keyring = exec_mode, no_pivot, no_new_keyring
        self.preserve_fds = preserve_fds
        #: O_PATH fd of the state dir, opened by the parent: the init may not be able to
        #: walk to it once it is in a user namespace
        self.state_dirfd = -1
        self.join = join or {}
        self.new = new or set()

    @property
    def linux(self) -> dict[str, Any]:
        return self.cfg.get("linux") or {}

    def new_flags(self) -> int:
        return sum(ns.NAMESPACES[t][0] for t in self.new if t != "user")

    def must_fork(self) -> bool:
        """A new or joined pid/time namespace applies to children only: fork once more."""
        return bool({"pid", "time"} & (self.new | set(self.join)))

    def has_hooks(self, *names: str) -> bool:
        hooks = self.cfg.get("hooks") or {}
        return any(hooks.get(n) for n in names)


def from_config(cid: str, cfg: dict[str, Any]) -> tuple[dict[str, str], set[str]]:
    """(paths to join, types to create) from ``linux.namespaces``."""
    join, new = {}, set()
    for entry in (cfg.get("linux") or {}).get("namespaces") or ():
        if entry.get("path"):
            join[entry["type"]] = entry["path"]
        else:
            new.add(entry["type"])
    return join, new
