"""Failures before execve reach the caller as clear errors, and leave nothing behind."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tests.privileged.runtime.conftest import Runtime

pytestmark = pytest.mark.root


def test_missing_binary(rt: Runtime) -> None:
    res = rt.run(["/no/such/prog"], check=False)
    assert res.returncode == 127
    assert "exec:" in res.stderr and "/no/such/prog" in res.stderr and "no such file" in res.stderr
    res = rt.run(["nosuchprog"], check=False)
    assert res.returncode == 127 and "executable file not found in $PATH" in res.stderr


def test_bad_cwd(rt: Runtime) -> None:
    b = rt.edit(rt.bundle(["true"]), lambda c: c["process"].__setitem__("cwd", "/nope"))
    res = rt.run([], bundle=b, check=False)
    assert res.returncode == 1 and "process.cwd /nope" in res.stderr


def test_bad_mount_source(rt: Runtime) -> None:
    def edit(cfg: dict[str, Any]) -> None:
        cfg["mounts"].append({"destination": "/x", "type": "bind", "source": "/no/such/dir",
                              "options": ["bind"]})
    res = rt.run([], bundle=rt.edit(rt.bundle(["true"]), edit), check=False)
    assert res.returncode == 1 and "/no/such/dir" in res.stderr and "mounts[" in res.stderr


def test_bad_config_field_named(rt: Runtime) -> None:
    b = rt.edit(rt.bundle(["true"]), lambda c: c["process"]["user"].__setitem__("uid", "0"))
    res = rt.run([], bundle=b, check=False)
    assert res.returncode == 1 and "process.user.uid" in res.stderr
    (b / "config.json").write_text("{not json")
    res = rt.run([], bundle=b, check=False)
    assert res.returncode == 1 and "invalid JSON" in res.stderr


def test_failure_leaves_no_state(rt: Runtime) -> None:
    b = rt.bundle(["/no/such/prog"])
    cid = rt.new_id()
    rt.cli("create", "-b", str(b), cid, check=False)
    assert not (rt.root / cid).exists()
    assert json.loads(rt.cli("list", "--format", "json").stdout) == []


def test_log_file_json(rt: Runtime) -> None:
    log = rt.tmp / "log.json"
    res = rt.cli("--log", str(log), "--log-format", "json", "state", "nosuch", check=False)
    assert res.returncode == 1
    rec = json.loads(log.read_text().splitlines()[-1])
    assert rec["level"] == "error" and "nosuch" in rec["msg"] and rec["time"]
