"""The container's filesystem view: mounts, /dev, pivot_root, masked and readonly paths.

Runs in the container init, inside its new mount namespace. ``prepare`` works on host
paths before the pivot; ``finish`` works on container paths after it.
"""

from __future__ import annotations

import os
import stat

from berth.runtime import devices as _devices
from berth.runtime import mountopts
from berth.runtime.cgroupfs import mount_cgroup
from berth.runtime.paths import make_target, secure_join
from berth.sys import mount as m

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_ST_TO_MS = {1: m.MS_RDONLY, 2: m.MS_NOSUID, 4: m.MS_NODEV, 8: m.MS_NOEXEC,
             1024: m.MS_NOATIME, 2048: mountopts.MS_NODIRATIME, 4096: mountopts.MS_RELATIME}


def locked_flags(path: str) -> int:
    """The flags a bind remount must keep (the kernel refuses to drop locked ones)."""
    st = os.statvfs(path).f_flag
    return sum(ms for bit, ms in _ST_TO_MS.items() if st & bit and ms != m.MS_RDONLY)


def prepare(cfg: dict[str, Any], rootfs: str, bundle: str, *, userns: bool, cgroupns: bool,
            idmapped: dict[int, int]) -> None:
    """Make ``rootfs`` a mount point and mount everything into it."""
    linux = cfg.get("linux") or {}
    prop = mountopts.PROPAGATION.get(linux.get("rootfsPropagation") or "", 0)
    m.mount(None, "/", None, m.MS_REC | (prop if prop and not prop & m.MS_SHARED else m.MS_SLAVE))
    m.mount(rootfs, rootfs, None, m.MS_BIND | m.MS_REC)
    dev_bound = False
    for i, mnt in enumerate(cfg.get("mounts") or ()):
        try:
            dev_bound |= mount_entry(rootfs, mnt, bundle, cgroupns=cgroupns,
                                     idmap_fd=idmapped.get(i))
        except OSError as e:
            raise OSError(e.errno, f"mounts[{i}] ({mnt.get('type') or 'bind'} "
                          f"{mnt.get('source')} on {mnt['destination']}): {e.strerror}") from e
    _devices.create_devices(rootfs, linux.get("devices") or [], bind=userns,
                            defaults=not dev_bound)


def mount_entry(rootfs: str, mnt: dict[str, Any], bundle: str, *, cgroupns: bool,
                idmap_fd: int | None) -> bool:
    """Mount one config entry; True if it bind-mounted the host's /dev."""
    opts = mountopts.parse(mnt.get("options"))
    typ = mnt.get("type") or ""
    dest = secure_join(rootfs, mnt["destination"])
    is_bind = typ == "bind" or bool(opts.flags & m.MS_BIND)
    if is_bind:
        src = mnt.get("source") or ""
        if not src.startswith("/"):
            src = os.path.join(bundle, src)
        if idmap_fd is not None:  # made by the parent, which could reach the source
            is_dir = stat.S_ISDIR(os.fstat(idmap_fd).st_mode)
        elif not os.path.exists(src):
            raise FileNotFoundError(2, f"bind source {src} does not exist")
        else:
            is_dir = os.path.isdir(src)
        make_target(dest, is_dir)
        _bind(src, dest, opts, idmap_fd)
    elif typ == "cgroup":
        mount_cgroup(dest, opts.flags, cgroupns)
    else:
        make_target(dest, is_dir=True)
        _mount_fs(mnt, dest, typ, opts)
    if opts.rec_opts:
        _set_recursive(dest, opts)
    for p in opts.propagation:
        m.mount(None, dest, None, p)
    return is_bind and mnt["destination"].rstrip("/") == "/dev"


def _bind(src: str, dest: str, opts: mountopts.Parsed, idmap_fd: int | None) -> None:
    if idmap_fd is not None:
        m.move_mount(idmap_fd, dest)
        os.close(idmap_fd)
    else:
        m.mount(src, dest, None, opts.flags & (m.MS_BIND | m.MS_REC))
    extra = opts.flags & ~(m.MS_BIND | m.MS_REC | m.MS_REMOUNT)
    if extra:
        m.mount(None, dest, None, m.MS_BIND | m.MS_REMOUNT | extra | locked_flags(dest))


def _set_recursive(dest: str, opts: mountopts.Parsed) -> None:
    """``rro`` & co.: one mount_setattr over the mount and all its submounts."""
    try:
        m.mount_setattr(dest, opts.rec_set, opts.rec_clr, recursive=True)
    except OSError as e:
        raise OSError(e.errno, f"{','.join(opts.rec_opts)}: {e.strerror}") from None


def _mount_fs(mnt: dict[str, Any], dest: str, typ: str, opts: mountopts.Parsed) -> None:
    flags = opts.flags & ~m.MS_BIND
    saved = None
    if "tmpcopyup" in opts.extra and os.listdir(dest):
        import shutil  # rare; shutil costs ~3 ms of startup
        saved = dest + ".berth-copyup"
        shutil.copytree(dest, saved, symlinks=True)
    try:
        m.mount(mnt.get("source") or typ, dest, typ, flags, opts.data or None)
    except PermissionError:
        if typ != "sysfs":
            raise
        # a user namespace without its own netns may not mount sysfs: bind the host's
        m.mount("/sys", dest, None, m.MS_BIND | m.MS_REC)
        m.mount(None, dest, None, m.MS_BIND | m.MS_REMOUNT | flags | locked_flags(dest))
    if saved:
        import shutil
        shutil.copytree(saved, dest, symlinks=True, dirs_exist_ok=True)
        shutil.rmtree(saved)


def pivot(rootfs: str, *, no_pivot: bool) -> None:
    """Make ``rootfs`` the root, detaching the old one (runc's pivot_root(".", ".") trick)."""
    os.chdir(rootfs)
    if no_pivot:
        m.mount(rootfs, "/", None, m.MS_MOVE)
        os.chroot(".")
        os.chdir("/")
        return
    old = os.open("/", os.O_DIRECTORY | os.O_RDONLY | os.O_CLOEXEC)
    try:
        m.pivot_root(".", ".")
        os.fchdir(old)
        m.mount(None, ".", None, m.MS_SLAVE | m.MS_REC)
        m.umount(".", m.MNT_DETACH)
    finally:
        os.close(old)
    os.chdir("/")


def finish(cfg: dict[str, Any]) -> None:
    """After the pivot: readonly root, masked and readonly paths, root propagation."""
    linux = cfg.get("linux") or {}
    for path in linux.get("readonlyPaths") or ():
        _readonly(path)
    for path in linux.get("maskedPaths") or ():
        _mask(path)
    if (cfg.get("root") or {}).get("readonly"):
        m.mount(None, "/", None, m.MS_BIND | m.MS_REMOUNT | m.MS_RDONLY | locked_flags("/"))
    prop = mountopts.PROPAGATION.get(linux.get("rootfsPropagation") or "", 0)
    if prop:
        m.mount(None, "/", None, prop)


def _readonly(path: str) -> None:
    try:
        m.mount(path, path, None, m.MS_BIND | m.MS_REC)
    except FileNotFoundError:
        return
    m.mount(None, path, None, m.MS_BIND | m.MS_REMOUNT | m.MS_RDONLY | m.MS_REC
            | locked_flags(path))


def _mask(path: str) -> None:
    try:
        if os.path.isdir(path):
            m.mount("tmpfs", path, "tmpfs", m.MS_RDONLY)
        else:
            m.mount("/dev/null", path, None, m.MS_BIND)
    except FileNotFoundError:
        return
