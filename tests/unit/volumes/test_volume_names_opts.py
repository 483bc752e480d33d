"""Names and local options: docker's rules and messages."""

from __future__ import annotations

import re

import pytest

from berth.errdefs import InvalidArgument
from berth.mount import MS_BIND, MS_RDONLY, MS_REMOUNT
from berth.volumes import localopts
from berth.volumes.names import generate_name, validate_local_name


@pytest.mark.parametrize("name", ["ab", "v1", "a.b-c_d", "0abc", "X" * 200])
def test_valid_names(name: str) -> None:
    validate_local_name(name)


def test_short_name() -> None:
    with pytest.raises(InvalidArgument, match="volume name is too short, names should be at "
                                              "least two alphanumeric characters"):
        validate_local_name("a")


@pytest.mark.parametrize("name", ["a b", "../x", "-ab", ".ab", "a/b", "ab\n"])
def test_invalid_characters(name: str) -> None:
    with pytest.raises(InvalidArgument) as exc:
        validate_local_name(name)
    assert exc.value.message.endswith(
        'includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]"'
        " are allowed. If you intended to pass a host directory, use absolute path")


def test_generated_name_is_64_hex() -> None:
    assert re.fullmatch(r"[0-9a-f]{64}", generate_name())


@pytest.mark.parametrize("opts,message", [
    ({"foo": "bar"}, 'invalid option: "foo"'),
    ({"type": "tmpfs"}, 'missing required option: "device"'),
    ({"device": "tmpfs"}, 'missing required option: "type"'),
    ({"o": "size=1m", "type": "tmpfs"}, 'missing required option: "device"'),
    ({"size": "10m"}, "quota size requested but no quota support"),
    ({"size": "lots"}, "invalid size: 'lots'"),
    ({"type": "cifs", "device": "//host:445/share"},
     "port not allowed in CIFS device URL, include 'port' in 'o='"),
])
def test_option_errors(opts: dict[str, str], message: str) -> None:
    with pytest.raises(InvalidArgument) as exc:
        localopts.validate(opts)
    assert exc.value.message == message


@pytest.mark.parametrize("opts", [{}, {"size": "0"},
                                  {"type": "tmpfs", "device": "tmpfs", "o": "size=1m"},
                                  {"type": "none", "device": "/x", "o": "bind"}])
def test_valid_options(opts: dict[str, str]) -> None:
    localopts.validate(opts)


def test_tmpfs_request() -> None:
    calls = localopts.mount_calls({"type": "tmpfs", "device": "tmpfs",
                                   "o": "size=100m,uid=1000"}, "/t")
    assert calls == [localopts.MountCall("tmpfs", "/t", "tmpfs", 0, "size=100m,uid=1000")]


def test_readonly_bind_remounts() -> None:
    calls = localopts.mount_calls({"type": "none", "device": "/src", "o": "bind,ro"}, "/t")
    assert calls[0] == localopts.MountCall("/src", "/t", "none", MS_BIND | MS_RDONLY, "")
    assert calls[1].flags == MS_REMOUNT | MS_BIND | MS_RDONLY


def test_nfs_request_keeps_addr_and_source() -> None:
    calls = localopts.mount_calls({"type": "nfs", "device": ":/export",
                                   "o": "addr=10.0.0.1,rw,nfsvers=4"}, "/t")
    assert calls == [localopts.MountCall(":/export", "/t", "nfs", 0,
                                         "addr=10.0.0.1,nfsvers=4")]
    assert calls[0].describe() == "mount :/export:/t, data: addr=10.0.0.1,nfsvers=4"


def test_nfs_hostname_is_resolved() -> None:
    calls = localopts.mount_calls({"type": "nfs4", "device": ":/e", "o": "addr=localhost"},
                                  "/t")
    assert calls[0].data in ("addr=127.0.0.1", "addr=::1")


def test_ram_in_bytes() -> None:
    assert localopts.ram_in_bytes("100m") == 100 << 20
    assert localopts.ram_in_bytes("1.5g") == int(1.5 * (1 << 30))
    assert localopts.ram_in_bytes("42") == 42
