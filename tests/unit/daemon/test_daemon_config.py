from __future__ import annotations

import json
from pathlib import Path

import pytest

from berth import errdefs
from berth.daemon import config


def load(tmp_path: Path, argv: list[str], doc: dict | None = None) -> config.DaemonConfig:
    path = tmp_path / "daemon.json"
    if doc is not None:
        path.write_text(json.dumps(doc))
    return config.load([*argv, "--config-file", str(path)] if doc is not None else argv)


def test_defaults(tmp_path: Path) -> None:
    cfg = load(tmp_path, [], {})
    assert cfg.hosts == ["unix:///run/berth/berth.sock"]
    assert cfg.data_root == Path("/var/lib/berth")
    assert cfg.pid_path == Path("/run/berth/berthd.pid")
    assert cfg.storage_driver == ""


def test_flags(tmp_path: Path) -> None:
    cfg = load(tmp_path, ["-H", "unix:///a.sock", "--host", "tcp://127.0.0.1:2375",
                          "--data-root", "/d", "--exec-root", "/e", "-D", "--label", "a=b",
                          "--storage-driver", "native", "--log-level", "warn"], {})
    assert cfg.hosts == ["unix:///a.sock", "tcp://127.0.0.1:2375"]
    assert (cfg.data_root, cfg.exec_root, cfg.pid_path) == (Path("/d"), Path("/e"),
                                                            Path("/e/berthd.pid"))
    assert cfg.debug and cfg.labels == ["a=b"] and cfg.storage_driver == "native"


def test_file_values(tmp_path: Path) -> None:
    cfg = load(tmp_path, [], {"hosts": ["unix:///f.sock"], "data-root": "/fd", "debug": True,
                              "labels": ["x=y"], "pidfile": "/p.pid"})
    assert cfg.hosts == ["unix:///f.sock"] and cfg.data_root == Path("/fd")
    assert cfg.debug and cfg.labels == ["x=y"] and cfg.pid_path == Path("/p.pid")


def test_conflict_between_flag_and_file(tmp_path: Path) -> None:
    with pytest.raises(errdefs.InvalidArgument, match="the following directives are specified "
                       "both as a flag and in the configuration file: data-root"):
        load(tmp_path, ["--data-root", "/a"], {"data-root": "/b"})


def test_unknown_keys(tmp_path: Path) -> None:
    with pytest.raises(errdefs.InvalidArgument, match="the following directives don't match "
                       "any configuration option: bogus, zzz"):
        load(tmp_path, [], {"zzz": 1, "bogus": 2})


@pytest.mark.parametrize("doc", [{"debug": "yes"}, {"hosts": "unix:///x"}, {"labels": [1]},
                                 {"storage-driver": "zfs"}, {"log-level": "loud"},
                                 {"labels": ["novalue"]}])
def test_invalid_values(tmp_path: Path, doc: dict) -> None:
    with pytest.raises(errdefs.InvalidArgument):
        load(tmp_path, [], doc)


def test_bad_json_and_missing_explicit_file(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text("{nope")
    with pytest.raises(errdefs.InvalidArgument, match=r"bad\.json"):
        config.load(["--config-file", str(tmp_path / "bad.json")])
    with pytest.raises(errdefs.InvalidArgument, match="no such file"):
        config.load(["--config-file", str(tmp_path / "missing.json")])
