"""Making a cgroup2 directory usable: create each level, enable controllers top-down.

A controller is available in a cgroup only if its parent lists it in cgroup.subtree_control,
so every ancestor from the mount root down to the container's parent gets ``+ctrl`` for each
controller it has. The no-internal-processes rule makes that fail (EBUSY) on a level that
holds processes; such failures are left for ``set`` to report with the field that needs it.
"""

from __future__ import annotations

import os

from berth.errdefs import BerthError, InvalidArgument
from berth.runtime.cgroups import _fs
from berth.runtime.cgroups._path import CgPath

TYPE_CHECKING = False
if TYPE_CHECKING:
    from berth.runtime.cgroups._path import StrPath


def make_dir(mount_root: StrPath, d: StrPath) -> None:
    """mkdir -p below the mount root (which must already exist)."""
    mount_root, d = CgPath(mount_root), CgPath(d)
    if not d.is_relative_to(mount_root):
        raise InvalidArgument(f"cgroup {d} is outside the cgroup2 mount {mount_root}")
    os.makedirs(d, 0o755, exist_ok=True)


def enable_controllers(mount_root: StrPath, d: StrPath) -> list[str]:
    """Enable in every ancestor of ``d`` what it has; returns the controllers ``d`` ends up with."""
    mount_root, d = CgPath(mount_root), CgPath(d)
    chain = [mount_root, *[mount_root / p for p in _prefixes(d.relative_to(mount_root))]]
    for level in chain[:-1]:
        have = _fs.read(level / "cgroup.controllers").split()
        on = set(_fs.read(level / "cgroup.subtree_control").split())
        want = [c for c in have if c not in on]
        if want:
            _enable(level, want)
    return available(d)


def _prefixes(rel: CgPath) -> list[CgPath]:
    parts = rel.parts
    return [CgPath("/".join(parts[: i + 1])) for i in range(len(parts))]


def _enable(level: CgPath, want: list[str]) -> None:
    """All at once, else one by one so one refusal does not block the rest."""
    ctl = level / "cgroup.subtree_control"
    try:
        _fs.write(ctl, " ".join("+" + c for c in want))
        return
    except BerthError:
        pass
    for c in want:
        try:
            _fs.write(ctl, "+" + c)
        except BerthError:
            continue


def available(d: StrPath) -> list[str]:
    """Controllers usable in ``d`` (its cgroup.controllers)."""
    d = CgPath(d)
    try:
        return _fs.read(d / "cgroup.controllers").split()
    except FileNotFoundError:
        return []
