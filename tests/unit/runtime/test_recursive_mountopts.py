"""Parsing of the recursive (mount_setattr) options, and the error without the syscall."""

from __future__ import annotations

import ctypes

import pytest

from berth.runtime import mountopts
from berth.sys import mount as m


def test_rro_is_not_a_plain_flag() -> None:
    p = mountopts.parse(["rbind", "rro"])
    assert p.flags == m.MS_BIND | m.MS_REC
    assert (p.rec_set, p.rec_clr, p.rec_opts) == (m.MOUNT_ATTR_RDONLY, 0, ["rro"])


def test_last_one_wins_and_atime_is_an_enum() -> None:
    p = mountopts.parse(["rro", "rnosuid", "rrw", "rnoatime", "rstrictatime"])
    assert p.rec_set == m.MOUNT_ATTR_NOSUID | m.MOUNT_ATTR_STRICTATIME
    assert p.rec_clr == m.MOUNT_ATTR_RDONLY | m.MOUNT_ATTR__ATIME
    p = mountopts.parse(["rnoatime", "ratime"])
    assert (p.rec_set, p.rec_clr) == (m.MOUNT_ATTR_RELATIME, m.MOUNT_ATTR__ATIME)


def test_no_recursive_options_no_attributes() -> None:
    p = mountopts.parse(["rbind", "ro", "nosuid"])
    assert (p.rec_set, p.rec_clr, p.rec_opts) == (0, 0, [])


def test_every_runc_recursive_option_is_known() -> None:
    names = {"rro", "rrw", "rnosuid", "rsuid", "rnodev", "rdev", "rnoexec", "rexec",
             "rnodiratime", "rdiratime", "rrelatime", "rnorelatime", "rnoatime", "ratime",
             "rstrictatime", "rnostrictatime", "rnosymfollow", "rsymfollow"}
    assert names <= set(mountopts.all_options())
    for name in names:
        assert mountopts.parse([name]).rec_opts == [name]


def test_enosys_says_what_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_syscall(*_args: object) -> int:
        ctypes.set_errno(38)
        return -1
    monkeypatch.setattr(m.libc, "syscall", no_syscall)
    with pytest.raises(OSError, match=r"Linux 5\.12") as info:
        m.mount_setattr("/nowhere", m.MOUNT_ATTR_RDONLY, 0)
    assert info.value.errno == 38
