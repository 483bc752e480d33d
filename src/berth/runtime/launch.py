"""What the parent hands its forked children: one record, shared by copy-on-write."""

from __future__ import annotations

from berth.sys import ns

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

#: setns order after the user namespace; mount last, so the other paths still resolve.
JOIN_ORDER = ("ipc", "uts", "network", "pid", "cgroup", "time", "mount")
#: new namespaces the child can be cloned straight into (cgroup comes after joining
#: the v1 cgroups, user needs its id maps first, time applies to children only)
AT_BIRTH = ("pid", "network", "ipc", "uts", "mount")


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
        #: where compiled seccomp filters are kept across processes (None: memory only);
        #: a warm caller's memory cache is enough, a fresh process per container is not
        self.seccomp_cache: str | None = None
        #: the filter, compiled by the parent before the fork: the child neither rehashes
        #: the profile (a cold, copy-on-write heap makes that ~0.5 ms) nor reaches libseccomp
        self.seccomp_bpf: bytes | None = None
        #: v1 ``tasks`` files the child writes ``0`` to, joining those cgroups itself
        self.cgroup_tasks: list[str] = []
        #: CLONE_NEW* flags the child was cloned with (set by the parent before forking)
        self.born_in = 0
        self.join = join or {}
        self.new = new or set()

    @property
    def linux(self) -> dict[str, Any]:
        return self.cfg.get("linux") or {}

    def birth_flags(self) -> int:
        """Namespaces to clone the child into: one fork instead of fork + unshare + fork.
        Only when nothing is joined and there is no user or time namespace, whose set-up
        has to come first."""
        if self.join or {"user", "time"} & self.new:
            return 0
        return sum(ns.NAMESPACES[t][0] for t in self.new if t in AT_BIRTH)

    def new_flags(self) -> int:
        """The namespaces still to unshare after the fork."""
        return sum(ns.NAMESPACES[t][0] for t in self.new if t != "user") & ~self.born_in

    def must_fork(self) -> bool:
        """A new or joined pid/time namespace applies to children only: fork once more
        (unless the child was cloned into its pid namespace already)."""
        if self.born_in & ns.CLONE_NEWPID:
            return False
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
