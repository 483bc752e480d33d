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
#: recursive attribute options (mount_setattr); accepted and applied as plain flags
RECURSIVE = {"rro": "ro", "rrw": "rw", "rnosuid": "nosuid", "rsuid": "suid",
             "rnodev": "nodev", "rdev": "dev", "rnoexec": "noexec", "rexec": "exec",
             "rnoatime": "noatime", "ratime": "atime", "rrelatime": "relatime",
             "rnorelatime": "norelatime", "rstrictatime": "strictatime",
             "rnostrictatime": "nostrictatime", "rnodiratime": "nodiratime",
             "rdiratime": "diratime", "rnosymfollow": "nosymfollow",
             "rsymfollow": "symfollow"}
EXTRA = ("tmpcopyup", "idmap", "ridmap")


class Parsed:
    """One mount's options, split (a plain class: ``typing`` costs ~3 ms of startup)."""

    __slots__ = ("data", "extra", "flags", "propagation")

    def __init__(self, flags: int, propagation: list[int], data: str, extra: set[str]) -> None:
        self.flags, self.propagation, self.data, self.extra = flags, propagation, data, extra


def parse(options: list[str] | None) -> Parsed:
    """Split OCI ``options`` into flags, propagation changes, fs data and berth extras."""
    flags, prop, data, extra = 0, [], [], set()
    for opt in options or ():
        opt = RECURSIVE.get(opt, opt)
        if opt in FLAGS:
            clear, flag = FLAGS[opt]
            flags = flags & ~flag if clear else flags | flag
        elif opt in PROPAGATION:
            prop.append(PROPAGATION[opt])
        elif opt in EXTRA:
            extra.add(opt)
        else:
            data.append(opt)
    return Parsed(flags, prop, ",".join(data), extra)


def all_options() -> list[str]:
    """Every option name ``features`` reports."""
    return sorted({*FLAGS, *PROPAGATION, *RECURSIVE, *EXTRA})
