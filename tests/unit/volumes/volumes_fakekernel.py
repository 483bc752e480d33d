"""A recording fake of berth.volumes.kernel.Kernel for the volume unit tests."""

from __future__ import annotations

import errno


class FakeKernel:
    def __init__(self, filesystems: set[str] | None = None, fail: int = 0) -> None:
        self.calls: list[tuple[str, ...]] = []
        self.mounted: list[str] = []
        self.fs = filesystems if filesystems is not None else {"tmpfs", "ext4"}
        self.fail = fail

    def mount(self, source: str, target: str, fstype: str, flags: int, data: str) -> None:
        self.calls.append(("mount", source, target, fstype, hex(flags), data))
        if self.fail:
            raise OSError(self.fail, "fail")
        if fstype and fstype not in self.fs and not flags & 0x1000:
            raise OSError(errno.ENODEV, "No such device")
        if target not in self.mounted:
            self.mounted.append(target)

    def unmount(self, target: str) -> None:
        self.calls.append(("umount", target))
        if target in self.mounted:
            self.mounted.remove(target)

    def mounts_under(self, path: str) -> list[str]:
        return [m for m in self.mounted if m == path or m.startswith(path.rstrip("/") + "/")]

    def filesystems(self) -> set[str]:
        return set(self.fs)
