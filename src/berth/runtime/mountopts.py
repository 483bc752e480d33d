"""OCI mount options → mount(2) flags, propagation flags and the fs data string."""

from __future__ import annotations

from berth.sys import mount as m

MS_SYNCHRONOUS = 0x10
MS_MANDLOCK = 0x40
MS_DIRSYNC = 0x80
MS_NOSYMFOLLOW = 0x100
MS_NODIRATIME = 0x800
MS_SILENT = 0x8000
MS_RELATIME = 0x200000
MS_IVERSION = 0x800000
MS_STRICTATIME = 0x1000000
MS_LAZYTIME = 0x2000000

#: option → (clear?, flag)
FLAGS: dict[str, tuple[bool, int]] = {
    "ro": (False, m.MS_RDONLY), "rw": (True, m.MS_RDONLY),
    "nosuid": (False, m.MS_NOSUID), "suid": (True, m.MS_NOSUID),
    "nodev": (False, m.MS_NODEV), "dev": (True, m.MS_NODEV),
    "noexec": (False, m.MS_NOEXEC), "exec": (True, m.MS_NOEXEC),
    "sync": (False, MS_SYNCHRONOUS), "async": (True, MS_SYNCHRONOUS),
    "dirsync": (False, MS_DIRSYNC), "remount": (False, m.MS_REMOUNT),
    "mand": (False, MS_MANDLOCK), "nomand": (True, MS_MANDLOCK),
    "atime": (True, m.MS_NOATIME), "noatime": (False, m.MS_NOATIME),
    "diratime": (True, MS_NODIRATIME), "nodiratime": (False, MS_NODIRATIME),
    "relatime": (False, MS_RELATIME), "norelatime": (True, MS_RELATIME),
    "strictatime": (False, MS_STRICTATIME), "nostrictatime": (True, MS_STRICTATIME),
    "lazytime": (False, MS_LAZYTIME), "nolazytime": (True, MS_LAZYTIME),
    "iversion": (False, MS_IVERSION), "noiversion": (True, MS_IVERSION),
    "silent": (False, MS_SILENT), "loud": (True, MS_SILENT),
    "nosymfollow": (False, MS_NOSYMFOLLOW), "symfollow": (True, MS_NOSYMFOLLOW),
    "bind": (False, m.MS_BIND), "rbind": (False, m.MS_BIND | m.MS_REC),
    "defaults": (False, 0),
}
PROPAGATION: dict[str, int] = {
    "private": m.MS_PRIVATE, "rprivate": m.MS_PRIVATE | m.MS_REC,
    "shared": m.MS_SHARED, "rshared": m.MS_SHARED | m.MS_REC,
    "slave": m.MS_SLAVE, "rslave": m.MS_SLAVE | m.MS_REC,
    "unbindable": m.MS_UNBINDABLE, "runbindable": m.MS_UNBINDABLE | m.MS_REC,
}
#: recursive attribute options → (clear?, MOUNT_ATTR_* bit), applied to the whole tree
#: by mount_setattr(AT_RECURSIVE) after the mount (runtime-spec 1.1 "rro" … "rsymfollow")
RECURSIVE: dict[str, tuple[bool, int]] = {
    "rro": (False, m.MOUNT_ATTR_RDONLY), "rrw": (True, m.MOUNT_ATTR_RDONLY),
    "rnosuid": (False, m.MOUNT_ATTR_NOSUID), "rsuid": (True, m.MOUNT_ATTR_NOSUID),
    "rnodev": (False, m.MOUNT_ATTR_NODEV), "rdev": (True, m.MOUNT_ATTR_NODEV),
    "rnoexec": (False, m.MOUNT_ATTR_NOEXEC), "rexec": (True, m.MOUNT_ATTR_NOEXEC),
    "rnodiratime": (False, m.MOUNT_ATTR_NODIRATIME), "rdiratime": (True, m.MOUNT_ATTR_NODIRATIME),
    "rnosymfollow": (False, m.MOUNT_ATTR_NOSYMFOLLOW),
    "rsymfollow": (True, m.MOUNT_ATTR_NOSYMFOLLOW),
}
#: the atime mode is an enum in mount_setattr (set one, clear MOUNT_ATTR__ATIME); the
#: clearing forms select the kernel's default, relatime, as "atime"/"norelatime" do in mount(2)
RECURSIVE_ATIME: dict[str, int] = {
    "rnoatime": m.MOUNT_ATTR_NOATIME, "rstrictatime": m.MOUNT_ATTR_STRICTATIME,
    "rrelatime": m.MOUNT_ATTR_RELATIME, "ratime": m.MOUNT_ATTR_RELATIME,
    "rnorelatime": m.MOUNT_ATTR_RELATIME, "rnostrictatime": m.MOUNT_ATTR_RELATIME,
}
EXTRA = ("tmpcopyup", "idmap", "ridmap")


class Parsed:
    """One mount's options, split (a plain class: ``typing`` costs ~3 ms of startup).

    ``rec_set``/``rec_clr`` are MOUNT_ATTR_* bits for mount_setattr; ``rec_opts`` names the
    options that asked for them (for errors). No recursive option: all three empty.
    """

    __slots__ = ("data", "extra", "flags", "propagation", "rec_clr", "rec_opts", "rec_set")

    def __init__(self, flags: int, propagation: list[int], data: str, extra: set[str]) -> None:
        self.flags, self.propagation, self.data, self.extra = flags, propagation, data, extra
        self.rec_set = self.rec_clr = 0
        self.rec_opts: list[str] = []

    def _recursive(self, opt: str) -> None:
        self.rec_opts.append(opt)
        if opt in RECURSIVE_ATIME:  # last one wins, like the other bits
            self.rec_set = (self.rec_set & ~m.MOUNT_ATTR__ATIME) | RECURSIVE_ATIME[opt]
            self.rec_clr |= m.MOUNT_ATTR__ATIME
            return
        clear, bit = RECURSIVE[opt]
        if clear:
            self.rec_set, self.rec_clr = self.rec_set & ~bit, self.rec_clr | bit
        else:
            self.rec_set, self.rec_clr = self.rec_set | bit, self.rec_clr & ~bit


def parse(options: list[str] | None) -> Parsed:
    """Split OCI ``options`` into flags, propagation changes, fs data and berth extras."""
    flags, prop, data, extra = 0, [], [], set()
    rec: list[str] = []
    for opt in options or ():
        if opt in FLAGS:
            clear, flag = FLAGS[opt]
            flags = flags & ~flag if clear else flags | flag
        elif opt in PROPAGATION:
            prop.append(PROPAGATION[opt])
        elif opt in RECURSIVE or opt in RECURSIVE_ATIME:
            rec.append(opt)
        elif opt in EXTRA:
            extra.add(opt)
        else:
            data.append(opt)
    p = Parsed(flags, prop, ",".join(data), extra)
    for opt in rec:
        p._recursive(opt)
    return p


def all_options() -> list[str]:
    """Every option name ``features`` reports."""
    return sorted({*FLAGS, *PROPAGATION, *RECURSIVE, *RECURSIVE_ATIME, *EXTRA})
