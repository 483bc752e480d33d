"""The real docker CLI and docker-py against a real berthd: system endpoints."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e


def test_docker_version(berthd_module: Any) -> None:
    out = berthd_module.docker("version", "--format", "{{json .Server}}").stdout
    server = json.loads(out)
    assert server["ApiVersion"] == "1.44" and server["MinAPIVersion"] == "1.24"
    assert server["Os"] == "linux" and server["GoVersion"].startswith("python3")
    assert server["Components"][0]["Name"] == "Engine"
    text = berthd_module.docker("version").stdout
    assert "API version:       1.44 (downgraded from" in text


def test_docker_info_prints_cleanly(berthd_module: Any) -> None:
    res = berthd_module.docker("info")
    assert "Server Version: 0.1.0" in res.stdout
    assert f"Docker Root Dir: {berthd_module.data_root}" in res.stdout
    assert "Swarm: inactive" in res.stdout
    assert "error" not in res.stderr.lower()
    info = json.loads(berthd_module.docker("info", "--format", "{{json .}}").stdout)
    assert info["Containers"] == 0 and info["OSType"] == "linux"


def test_docker_ps_and_images_and_df(berthd_module: Any) -> None:
    assert berthd_module.docker("ps", "-a", "-q").stdout == ""
    out = berthd_module.docker("images").stdout
    assert out.split() [:5] == ["REPOSITORY", "TAG", "IMAGE", "ID", "CREATED"]
    df = berthd_module.docker("system", "df").stdout
    assert df.splitlines()[0].split()[0] == "TYPE" and "Images" in df


def test_docker_events_since_until_returns(berthd_module: Any) -> None:
    start = time.monotonic()
    res = berthd_module.docker("events", "--since", "1m", "--until", "0s", timeout=20)
    assert res.returncode == 0
    assert time.monotonic() - start < 15


def test_unsupported_version_via_cli(berthd_module: Any) -> None:
    env_too_new = berthd_module._env() | {"DOCKER_API_VERSION": "1.45"}
    res = subprocess.run(["docker", "-H", berthd_module.url, "images"], capture_output=True,
                         text=True, env=env_too_new, timeout=30)
    assert res.returncode != 0
    assert "client version 1.45 is too new. Maximum supported API version is 1.44" in res.stderr


def test_docker_py(berthd_module: Any) -> None:
    client = berthd_module.client()
    assert client.ping() is True
    assert client.version()["ApiVersion"] == "1.44"
    info = client.info()
    assert info["DockerRootDir"] == str(berthd_module.data_root)
    assert client.containers.list(all=True) == []
    assert isinstance(client.images.list(), list)


def test_second_daemon_on_same_pidfile_refused(berthd: Any) -> None:
    res = subprocess.run([sys.executable, "-m", "berth.daemon", "-H",
                          f"unix://{berthd.root}/other.sock", "--data-root",
                          str(berthd.root / "d2"), "--exec-root", str(berthd.exec_root),
                          "--config-file", str(berthd.root / "daemon.json")],
                         capture_output=True, text=True, timeout=30)
    assert res.returncode == 1
    assert "pid file found" in res.stderr
    assert berthd.alive()


def test_two_daemons_side_by_side_and_clean_stop(berthd_factory) -> None:
    a, b = berthd_factory(), berthd_factory("--storage-driver", "native")
    assert a.alive() and b.alive()
    ida = json.loads(a.docker("info", "--format", "{{json .ID}}").stdout)
    idb = json.loads(b.docker("info", "--format", "{{json .ID}}").stdout)
    assert ida != idb
    assert a.stop() == 0
    assert not a.sock.exists() and not a.pidfile.exists()
    assert b.alive()


def test_config_conflict_is_refused(tmp_path: Path) -> None:
    cfg = tmp_path / "daemon.json"
    cfg.write_text(json.dumps({"data-root": str(tmp_path / "x")}))
    res = subprocess.run([sys.executable, "-m", "berth.daemon", "--data-root",
                          str(tmp_path / "y"), "--config-file", str(cfg)],
                         capture_output=True, text=True, timeout=30)
    assert res.returncode == 1
    assert "specified both as a flag and in the configuration file" in res.stderr


def test_sigint_also_cleans_up(berthd: Any) -> None:
    os.killpg(berthd.proc.pid, signal.SIGINT)
    assert berthd.proc.wait(10) == 0
    assert not berthd.sock.exists() and not berthd.pidfile.exists()
