"""berth.mount option parsing (no root needed)."""

from __future__ import annotations

import pytest

from berth.errdefs import InvalidArgument
from berth.mount import Mount, parse_options, split_lowerdir
from berth.sys.mount import MS_BIND, MS_NOSUID, MS_PRIVATE, MS_RDONLY, MS_REC


def test_flags_propagation_and_data_are_separated() -> None:
    p = parse_options(["rbind", "ro", "nosuid", "rprivate", "lowerdir=/a:/b", "index=off"])
    assert p.flags == MS_BIND | MS_REC | MS_RDONLY | MS_NOSUID
    assert p.propagation == MS_PRIVATE | MS_REC
    assert p.data == ["lowerdir=/a:/b", "index=off"]


def test_later_option_wins() -> None:
    assert parse_options(["ro", "rw"]).flags == 0
    assert parse_options(["rw", "ro"]).flags == MS_RDONLY


@pytest.mark.parametrize("bad", ["", "a\0b"])
def test_bad_option_is_rejected(bad: str) -> None:
    with pytest.raises(InvalidArgument):
        parse_options([bad])


def test_split_lowerdir_honours_escapes() -> None:
    assert split_lowerdir("/a:/b\\:c:/d") == ["/a", "/b:c", "/d"]
    assert split_lowerdir("/only") == ["/only"]


def test_mount_record() -> None:
    m = Mount("bind", "/src", ["rbind", "ro"])
    assert m.readonly() and m == Mount("bind", "/src", ["rbind", "ro"])
    assert Mount("tmpfs", "tmpfs").options == []
