"""The ``local`` driver: a directory ``<data-root>/volumes/<name>/_data``, or, with
options, a filesystem mounted over that directory while containers use it (docker's
layout, so ``Mountpoint`` is where the data really is).

Mounting is lazy and shared: the first user mounts, the last one unmounts. Before a tree
is removed every mount under it is detached, and removal refuses to run while one is
left, so an option like ``type=none o=bind device=/home`` can never delete the source.
"""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from berth.errdefs import BerthError, FailedPrecondition

from . import localopts
from .kernel import Kernel
from .names import validate_local_name

DATA = "_data"


class LocalDriver:
    name = "local"

    def __init__(self, root: Path, kernel: Kernel,
                 options_of: Callable[[str], dict[str, str] | None]) -> None:
        self.root = root
        self.kernel = kernel
        self.options_of = options_of
        root.mkdir(parents=True, exist_ok=True, mode=0o701)

    def scope(self) -> str:
        return "local"

    def path(self, name: str) -> str:
        return str(self.root / name / DATA)

    def create(self, name: str, opts: dict[str, str]) -> None:
        """Validate (docker's order: name, then options), then make the directories."""
        validate_local_name(name)
        localopts.validate(opts)
        vol = self.root / name
        made = not vol.exists()
        try:
            vol.mkdir(mode=0o701, exist_ok=True)
            (vol / DATA).mkdir(mode=0o755, exist_ok=True)
        except OSError as e:
            if made:
                shutil.rmtree(vol, ignore_errors=True)
            raise BerthError(f"error while creating volume path '{vol}': "
                             f"{e.strerror or e}") from None

    def remove(self, name: str) -> None:
        remove_tree(self.root / name, self.kernel)

    def mount(self, name: str, ref: str) -> str:
        target = self.path(name)
        opts = self.options_of(name)
        if not localopts.needs_mount(opts) or self.kernel.mounts_under(target):
            return target
        assert opts is not None
        calls = localopts.mount_calls(opts, target)
        done = 0
        try:
            for call in calls:
                self._mount(call)
                done += 1
        except BaseException:
            if done:
                self.kernel.unmount(target)
            raise
        return target

    def unmount(self, name: str, ref: str, last: bool) -> None:
        if last and localopts.needs_mount(self.options_of(name)):
            for point in self.kernel.mounts_under(self.path(name)):
                self.kernel.unmount(point)

    def get(self, name: str) -> dict[str, Any] | None:
        if not (self.root / name).is_dir():
            return None
        return {"Name": name, "Mountpoint": self.path(name)}

    def list(self) -> list[dict[str, Any]]:
        return [{"Name": p.name, "Mountpoint": self.path(p.name)}
                for p in sorted(self.root.iterdir()) if p.is_dir()]

    def _mount(self, call: localopts.MountCall) -> None:
        fstype = call.fstype
        try:
            self.kernel.mount(call.source, call.target, call.fstype, call.flags, call.data)
        except OSError as e:
            text = os.strerror(e.errno) if e.errno else str(e)
            reason = text[:1].lower() + text[1:]
            if e.errno == errno.ENODEV and fstype and fstype not in self.kernel.filesystems():
                reason += (f" (this kernel has no {fstype} filesystem: it is not in "
                           "/proc/filesystems; load its module, e.g. the NFS client)")
            raise BerthError(f"failed to mount local volume: {call.describe()}: "
                             f"{reason}") from None


def remove_tree(path: Path, kernel: Kernel) -> None:
    """Detach every mount under ``path``, then delete it; never follows a mount."""
    for point in kernel.mounts_under(str(path)):
        kernel.unmount(point)
    left = kernel.mounts_under(str(path))
    if left:
        raise FailedPrecondition(f"cannot remove {path}: still mounted at {left[0]}")
    try:
        shutil.rmtree(path)
    except FileNotFoundError:
        pass
    except OSError as e:
        raise BerthError(f"error removing volume path '{path}': {e.strerror or e}") from None
