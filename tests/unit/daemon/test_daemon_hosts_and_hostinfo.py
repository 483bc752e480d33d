from __future__ import annotations

import socket
from pathlib import Path

import pytest

from berth import errdefs
from berth.api.server import _clear_stale_socket, parse_host
from berth.daemon import hostinfo


def test_parse_host() -> None:
    assert str(parse_host("unix:///tmp/x.sock")) == "unix:///tmp/x.sock"
    assert parse_host("unix://").address == "/run/berth/berth.sock"
    assert parse_host("/tmp/y.sock").address == "/tmp/y.sock"
    h = parse_host("tcp://127.0.0.1:2999")
    assert (h.scheme, h.address, h.port) == ("tcp", "127.0.0.1", 2999)
    for bad in ("fd://", "ssh://x", "unix://" + "/a" * 60, "tcp://h:notaport"):
        with pytest.raises(errdefs.InvalidArgument):
            parse_host(bad)


def test_stale_socket_replaced_live_socket_refused(tmp_path: Path) -> None:
    path = str(tmp_path / "s.sock")
    live = socket.socket(socket.AF_UNIX)
    live.bind(path)
    live.listen()
    try:
        with pytest.raises(errdefs.Conflict, match="in use"):
            _clear_stale_socket(path)
    finally:
        live.close()
    _clear_stale_socket(path)  # nobody listens any more: removed
    assert not Path(path).exists()
    Path(path).write_text("")
    with pytest.raises(errdefs.Conflict, match="not a socket"):
        _clear_stale_socket(path)


def test_hostinfo_readers(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/os-release").write_text('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n'
                                             'VERSION_ID="12"\n')
    assert hostinfo.os_release(tmp_path)["VERSION_ID"] == "12"
    (tmp_path / "meminfo").write_text("MemTotal:       1024 kB\nMemFree: 1 kB\n")
    assert hostinfo.mem_total(tmp_path) == 1024 * 1024
    (tmp_path / "mounts").write_text("/dev/sda / ext4 rw 0 0\nt /tmp tmpfs rw 0 0\n"
                                     "x /tmpx xfs rw 0 0\n")
    assert hostinfo.backing_fs(Path("/tmp/a/b"), tmp_path) == "tmpfs"
    assert hostinfo.backing_fs(Path("/tmpx/a"), tmp_path) == "xfs"
    assert hostinfo.backing_fs(Path("/var"), tmp_path) == "ext4"
    assert hostinfo.cgroup_version(tmp_path) == "1"
    (tmp_path / "cgroup.controllers").write_text("cpu\n")
    assert hostinfo.cgroup_version(tmp_path) == "2"
    assert hostinfo.go_arch("x86_64") == "amd64" and hostinfo.go_arch("aarch64") == "arm64"
