"""Mount records and the code that turns them into real mounts.

A ``Mount(type, source, options)`` is what snapshotters return and the runtime consumes:
``options`` mixes mount flags (``ro``, ``nosuid``, ``rbind``, ``rprivate`` …) with
filesystem data (``lowerdir=…``, ``upperdir=…``). ``mount_all`` stacks the list on one
target; ``unmount_all`` peels every mount off it.

mount(2) carries data in one page (4095 bytes). Overlay data longer than that goes through
fsconfig(2) with one ``lowerdir+`` per layer (Linux ≥ 6.8); on older kernels the lower
paths are made relative to their common directory and mounted by a child working there.
"""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from berth.errdefs import (
    BerthError,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
)
from berth.sys import fsmount as fsm
from berth.sys import mount as sysmount
from berth.sys.mount import (
    MS_BIND,
    MS_NOATIME,
    MS_NODEV,
    MS_NOEXEC,
    MS_NOSUID,
    MS_PRIVATE,
    MS_RDONLY,
    MS_REC,
    MS_REMOUNT,
    MS_SHARED,
    MS_SLAVE,
    MS_UNBINDABLE,
)

MS_SYNCHRONOUS = 0x10
MS_MANDLOCK = 0x40
MS_DIRSYNC = 0x80
MS_NODIRATIME = 0x800
MS_RELATIME = 0x200000
MS_STRICTATIME = 0x1000000
PAGE_DATA_LIMIT = 4095

# option -> (clear?, flag)
_FLAGS: dict[str, tuple[bool, int]] = {
    "defaults": (False, 0), "ro": (False, MS_RDONLY), "rw": (True, MS_RDONLY),
    "nosuid": (False, MS_NOSUID), "suid": (True, MS_NOSUID),
    "nodev": (False, MS_NODEV), "dev": (True, MS_NODEV),
    "noexec": (False, MS_NOEXEC), "exec": (True, MS_NOEXEC),
    "sync": (False, MS_SYNCHRONOUS), "async": (True, MS_SYNCHRONOUS),
    "dirsync": (False, MS_DIRSYNC), "remount": (False, MS_REMOUNT),
    "mand": (False, MS_MANDLOCK), "nomand": (True, MS_MANDLOCK),
    "noatime": (False, MS_NOATIME), "atime": (True, MS_NOATIME),
    "nodiratime": (False, MS_NODIRATIME), "diratime": (True, MS_NODIRATIME),
    "relatime": (False, MS_RELATIME), "norelatime": (True, MS_RELATIME),
    "strictatime": (False, MS_STRICTATIME),
    "bind": (False, MS_BIND), "rbind": (False, MS_BIND | MS_REC),
}
_PROPAGATION = {
    "private": MS_PRIVATE, "rprivate": MS_PRIVATE | MS_REC, "shared": MS_SHARED,
    "rshared": MS_SHARED | MS_REC, "slave": MS_SLAVE, "rslave": MS_SLAVE | MS_REC,
    "unbindable": MS_UNBINDABLE, "runbindable": MS_UNBINDABLE | MS_REC,
}
_ATTRS = {MS_RDONLY: fsm.MOUNT_ATTR_RDONLY, MS_NOSUID: fsm.MOUNT_ATTR_NOSUID,
          MS_NODEV: fsm.MOUNT_ATTR_NODEV, MS_NOEXEC: fsm.MOUNT_ATTR_NOEXEC,
          MS_NOATIME: fsm.MOUNT_ATTR_NOATIME, MS_STRICTATIME: fsm.MOUNT_ATTR_STRICTATIME,
          MS_NODIRATIME: fsm.MOUNT_ATTR_NODIRATIME}


@dataclass(frozen=True)
class Mount:
    """One mount to make: ``mount -t <type> <source> -o <options>``."""

    type: str
    source: str
    options: list[str] = field(default_factory=list)

    def readonly(self) -> bool:
        return "ro" in self.options


@dataclass(frozen=True)
class ParsedOptions:
    """Options split into mount(2) flags, propagation flags and filesystem data."""

    flags: int
    propagation: int
    data: list[str]


def parse_options(options: Iterable[str]) -> ParsedOptions:
    """Translate string options; unknown words are filesystem data, as mount(8) does."""
    flags = propagation = 0
    data: list[str] = []
    for opt in options:
        if opt in _FLAGS:
            clear, flag = _FLAGS[opt]
            flags = flags & ~flag if clear else flags | flag
        elif opt in _PROPAGATION:
            propagation |= _PROPAGATION[opt]
        elif not opt or "\0" in opt:
            raise InvalidArgument(f"invalid mount option {opt!r}")
        else:
            data.append(opt)
    return ParsedOptions(flags, propagation, data)


def mount_all(mounts: Iterable[Mount], target: Path) -> None:
    """Stack every mount on ``target``; on failure undo the ones made and raise."""
    done = 0
    try:
        for m in mounts:
            mount_one(m, target)
            done += 1
    except BaseException:
        for _ in range(done):
            unmount(target, detach=True)
        raise


def mount_one(m: Mount, target: Path) -> None:
    """Make one mount, translating kernel errors into the berth taxonomy."""
    opts = parse_options(m.options)
    try:
        if opts.flags & MS_BIND:
            _bind(m, target, opts)
        else:
            _mount_fs(m, target, opts)
        if opts.propagation:
            sysmount.mount(None, str(target), None, opts.propagation)
    except OSError as e:
        raise _translate(e, f"mount {m.type} {m.source} on {target}") from e


def _bind(m: Mount, target: Path, opts: ParsedOptions) -> None:
    base = opts.flags & (MS_BIND | MS_REC)
    sysmount.mount(m.source, str(target), None, base)
    rest = opts.flags & ~(MS_BIND | MS_REC | MS_REMOUNT)
    if rest:  # bind ignores other flags: they need a remount
        try:
            sysmount.mount(None, str(target), None, MS_REMOUNT | MS_BIND | rest)
        except OSError:
            sysmount.umount(str(target), sysmount.MNT_DETACH)
            raise


def _mount_fs(m: Mount, target: Path, opts: ParsedOptions) -> None:
    data = ",".join(opts.data)
    if len(data) <= PAGE_DATA_LIMIT:
        sysmount.mount(m.source, str(target), m.type, opts.flags, data or None)
    elif m.type == "overlay":
        try:
            mount_fsconfig(m, target, opts)
        except OSError as e:
            if e.errno != errno.ENOSYS and "lowerdir+" not in str(e):
                raise
            mount_overlay_relative(m, target, opts)
    else:
        raise InvalidArgument(f"mount {m.type} on {target}: options exceed one page")


def mount_fsconfig(m: Mount, target: Path, opts: ParsedOptions) -> None:
    """Mount through fsopen/fsconfig, splitting ``lowerdir=a:b`` into ``lowerdir+`` keys."""
    fd = fsm.fsopen(m.type)
    try:
        fsm.set_string(fd, "source", m.source)
        for opt in opts.data:
            key, eq, value = opt.partition("=")
            if key == "lowerdir" and eq:
                for layer in split_lowerdir(value):
                    fsm.set_string(fd, "lowerdir+", layer)
            elif eq:
                fsm.set_string(fd, key, value)
            else:
                fsm.set_flag(fd, key)
        fsm.create(fd)
        mfd = fsm.fsmount(fd, _attr_flags(opts.flags))
        try:
            fsm.move_mount(mfd, str(target))
        finally:
            os.close(mfd)
    finally:
        os.close(fd)


def mount_overlay_relative(m: Mount, target: Path, opts: ParsedOptions) -> None:
    """Old-kernel fallback: lower paths relative to their common dir, mounted from there."""
    data = list(opts.data)
    lows = [i for i, o in enumerate(data) if o.startswith("lowerdir=")]
    if len(lows) != 1:
        raise InvalidArgument(f"overlay on {target}: need exactly one lowerdir option")
    layers = split_lowerdir(data[lows[0]].partition("=")[2])
    common = os.path.commonpath(layers)
    rel = [os.path.relpath(p, common).replace(":", "\\:") for p in layers]
    data[lows[0]] = "lowerdir=" + ":".join(rel)
    joined = ",".join(data)
    if len(joined) > PAGE_DATA_LIMIT:
        raise InvalidArgument(f"overlay on {target}: too many layers for this kernel")
    flags = [o for o, (clear, f) in _FLAGS.items() if not clear and f and opts.flags & f == f]
    cmd = ["mount", "-t", m.type, "-o", ",".join([*flags, joined]), m.source, str(target)]
    res = subprocess.run(cmd, cwd=common, capture_output=True, text=True, check=False)
    if res.returncode:
        raise OSError(errno.EINVAL, f"mount(8) failed: {res.stderr.strip()}")


def split_lowerdir(value: str) -> list[str]:
    """Split ``a:b:c`` honouring ``\\:`` escapes."""
    out, cur, i = [], "", 0
    while i < len(value):
        if value[i] == "\\" and i + 1 < len(value):
            cur += value[i + 1]
            i += 2
            continue
        if value[i] == ":":
            out.append(cur)
            cur = ""
        else:
            cur += value[i]
        i += 1
    out.append(cur)
    return out


def _attr_flags(flags: int) -> int:
    return sum(attr for ms, attr in _ATTRS.items() if flags & ms)


def unmount(target: Path, *, detach: bool = False) -> bool:
    """Remove the top mount on ``target``; False if nothing was mounted there."""
    try:
        sysmount.umount(str(target), sysmount.MNT_DETACH if detach else 0)
    except OSError as e:
        if e.errno in (errno.EINVAL, errno.ENOENT):
            return False
        raise _translate(e, f"unmount {target}") from e
    return True


def unmount_all(target: Path, *, detach: bool = False) -> None:
    """Unmount everything stacked on ``target`` (a no-op if nothing is)."""
    for _ in range(1024):
        if not unmount(target, detach=detach):
            return
    raise FailedPrecondition(f"unmount {target}: mounts keep reappearing")


def _translate(e: OSError, what: str) -> BerthError:
    msg = f"{what}: {e.strerror or e}"
    if e.errno == errno.ENOENT:
        return NotFound(msg)
    if e.errno in (errno.EPERM, errno.EACCES):
        return PermissionDenied(msg)
    if e.errno == errno.EINVAL:
        return InvalidArgument(msg)
    return FailedPrecondition(msg)
