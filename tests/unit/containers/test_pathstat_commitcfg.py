"""Path-stat header encoding (Go FileMode bits), cp path rules, commit config merging."""

from __future__ import annotations

import os
import stat

import pytest

from berth.containers import commitcfg, pathstat
from berth.containers.archive import abs_path, base_name
from berth.containers.difffilter import filter_changes
from berth.errdefs import InvalidArgument


def _st(mode: int, size: int = 3, mtime_ns: int = 1_700_000_000_123_456_789
        ) -> os.stat_result:
    return os.stat_result((mode, 1, 1, 1, 0, 0, size, 0, 0, 0, 0, 0, 0, 0, mtime_ns, 0))


@pytest.mark.parametrize(("st_mode", "go"), [
    (stat.S_IFREG | 0o644, 0o644),
    (stat.S_IFDIR | 0o755, (1 << 31) | 0o755),
    (stat.S_IFLNK | 0o777, (1 << 27) | 0o777),
    (stat.S_IFCHR | 0o620, (1 << 26) | (1 << 21) | 0o620),
    (stat.S_IFBLK | 0o660, (1 << 26) | 0o660),
    (stat.S_IFIFO | 0o600, (1 << 25) | 0o600),
    (stat.S_IFSOCK | 0o755, (1 << 24) | 0o755),
    (stat.S_IFREG | 0o4755, (1 << 23) | 0o755),
    (stat.S_IFREG | 0o2755, (1 << 22) | 0o755),
    (stat.S_IFDIR | 0o1777, (1 << 31) | (1 << 20) | 0o777),
])
def test_go_file_mode(st_mode: int, go: int) -> None:
    assert pathstat.go_file_mode(st_mode) == go


def test_path_stat_header_round_trip() -> None:
    ps = pathstat.path_stat("hosts", _st(stat.S_IFREG | 0o644), "")
    assert ps == {"name": "hosts", "size": 3, "mode": 0o644,
                  "mtime": "2023-11-14T22:13:20.123456789Z", "linkTarget": ""}
    assert pathstat.decode_header(pathstat.encode_header(ps)) == ps
    assert pathstat.go_time(1_700_000_000_500_000_000) == "2023-11-14T22:13:20.5Z"
    assert pathstat.go_time(0) == "1970-01-01T00:00:00Z"


@pytest.mark.parametrize(("given", "absolute", "base"), [
    ("etc/hosts", "/etc/hosts", "hosts"), ("/tmp/dir/", "/tmp/dir/", "dir"),
    ("/tmp/dir/.", "/tmp/dir/.", "."), ("/", "/", "/"), ("/a/../b", "/b", "b"),
    ("//x//y", "/x/y", "y"), ("/.", "/.", "."),
])
def test_cp_paths(given: str, absolute: str, base: str) -> None:
    assert abs_path(given) == absolute
    assert base_name(absolute) == base


def test_filter_changes_hides_runtime_mount_points() -> None:
    raw = [{"Path": "/etc", "Kind": 0}, {"Path": "/etc/hosts", "Kind": 1},
           {"Path": "/etc/resolv.conf", "Kind": 1}, {"Path": "/tmp", "Kind": 0},
           {"Path": "/tmp/x", "Kind": 1}]
    assert filter_changes(raw) == [{"Path": "/tmp", "Kind": 0}, {"Path": "/tmp/x", "Kind": 1}]
    raw.append({"Path": "/etc/group", "Kind": 2})
    assert {"Path": "/etc", "Kind": 0} in filter_changes(raw)


CTR = {"User": "app", "Env": ["PATH=/bin", "A=1"], "Cmd": ["sh", "-c", "run"],
       "Entrypoint": None, "WorkingDir": "/w", "Labels": {"l": "c", "k": "c"},
       "ExposedPorts": {"80/tcp": {}}, "Volumes": {"/v": {}}, "StopSignal": "SIGINT",
       "Hostname": "abc", "Tty": True,
       "Healthcheck": {"Test": ["CMD", "true"], "Interval": 5, "Retries": 3}}


def test_merge_takes_container_config_when_request_empty() -> None:
    cfg = commitcfg.image_config(commitcfg.user_config(None, []), CTR)
    assert cfg.User == "app" and cfg.Cmd == ["sh", "-c", "run"] and cfg.WorkingDir == "/w"
    assert cfg.Env == ["PATH=/bin", "A=1"] and cfg.Labels == {"l": "c", "k": "c"}
    assert cfg.ExposedPorts == {"80/tcp": {}} and cfg.Volumes == {"/v": {}}
    assert cfg.StopSignal == "SIGINT" and cfg.Healthcheck is not None
    assert cfg.Healthcheck.Interval == 5 and cfg.Healthcheck.Retries == 3


def test_merge_request_and_changes_win() -> None:
    user = commitcfg.user_config({"Env": ["A=2"], "Labels": {"k": "u"},
                                  "ExposedPorts": {"443/tcp": {}}},
                                 ["CMD [\"echo\", \"hi\"]", "ENV B=3", "VOLUME /data"])
    cfg = commitcfg.image_config(user, CTR)
    assert cfg.Cmd == ["echo", "hi"]
    assert cfg.Env == ["A=2", "B=3", "PATH=/bin"]
    assert cfg.Labels == {"l": "c", "k": "u"}
    assert cfg.ExposedPorts == {"443/tcp": {}, "80/tcp": {}}
    assert cfg.Volumes == {"/data": {}, "/v": {}}


def test_entrypoint_without_cmd_drops_container_cmd() -> None:
    user = commitcfg.user_config(None, ['ENTRYPOINT ["/bin/app"]'])
    cfg = commitcfg.image_config(user, CTR)
    assert cfg.Entrypoint == ["/bin/app"] and cfg.Cmd is None


def test_bad_requests() -> None:
    with pytest.raises(InvalidArgument):
        commitcfg.user_config([1, 2], [])
    with pytest.raises(InvalidArgument, match="not a valid change command"):
        commitcfg.user_config(None, ["RUN echo"])
    with pytest.raises(InvalidArgument):
        commitcfg.user_config({"Cmd": "notalist"}, [])
