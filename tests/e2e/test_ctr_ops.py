"""Container operations with the real docker CLI and docker-py: stats, update, top, pause,
rename, diff, port, prune.

One daemon per module with a busybox image imported from Debian's busybox-static. Every
test removes what it made (the autouse fixture force-removes anything left).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.root,
              pytest.mark.skipif(os.geteuid() != 0, reason="containers need root"),
              pytest.mark.skipif(shutil.which("docker") is None, reason="no docker CLI"),
              pytest.mark.usefixtures("clean_containers")]  # `d`: tests/e2e/conftest.py


def inspect(d: Any, name: str) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(d.docker("inspect", name).stdout)[0]
    return out


def run_d(d: Any, *args: str) -> str:
    return str(d.docker("run", "-d", *args).stdout.strip())


# -- stats ---------------------------------------------------------------------------------

def test_stats_no_stream_row(d: Any) -> None:
    run_d(d, "--name", "st1", "-m", "64m", "busybox", "sh", "-c",
          "while :; do :; done")
    fmt = "{{.Name}}|{{.CPUPerc}}|{{.MemUsage}}|{{.MemPerc}}|{{.NetIO}}|{{.BlockIO}}|{{.PIDs}}"
    row = d.docker("stats", "--no-stream", "--format", fmt, "st1").stdout.strip()
    name, cpu, mem, memp, net, blk, pids = row.split("|")
    assert name == "st1"
    assert float(cpu.rstrip("%")) > 20.0  # a busy loop on one CPU
    usage, limit = (s.strip() for s in mem.split("/"))
    assert limit == "64MiB"
    assert usage.endswith(("B", "KiB", "MiB"))
    assert 0.0 <= float(memp.rstrip("%")) < 100.0
    assert "/" in net and "/" in blk
    assert pids == "2" or pids == "1"


def test_stats_table_and_stopped(d: Any) -> None:
    run_d(d, "--name", "st2", "busybox", "sleep", "60")
    out = d.docker("stats", "--no-stream", "st2").stdout.splitlines()
    assert out[0].split() == ["CONTAINER", "ID", "NAME", "CPU", "%", "MEM", "USAGE", "/",
                              "LIMIT", "MEM", "%", "NET", "I/O", "BLOCK", "I/O", "PIDS"]
    assert "st2" in out[1]
    d.docker("create", "--name", "st3", "busybox", "true")
    row = d.docker("stats", "--no-stream", "--format", "{{.Name}} {{.MemUsage}}",
                   "st3").stdout.strip()
    assert row == "st3 0B / 0B"
    names = d.docker("stats", "--no-stream", "--format", "{{.Name}}").stdout.split()
    assert names == ["st2"]  # every running container
    names = d.docker("stats", "-a", "--no-stream", "--format", "{{.Name}}").stdout.split()
    assert sorted(names) == ["st2", "st3"]


def test_stats_docker_py(d: Any) -> None:
    c = d.client().containers.run("busybox", ["sleep", "60"], detach=True, mem_limit="32m")
    s = c.stats(stream=False)
    assert s["id"] == c.id and s["name"] == "/" + c.name
    assert s["memory_stats"]["limit"] == 32 << 20
    assert s["memory_stats"]["usage"] > 0 and "stats" in s["memory_stats"]
    assert s["pids_stats"]["current"] == 1
    assert s["precpu_stats"]["system_cpu_usage"] > 0  # sampled a second earlier
    assert s["cpu_stats"]["system_cpu_usage"] > s["precpu_stats"]["system_cpu_usage"]
    assert s["cpu_stats"]["online_cpus"] == os.cpu_count()
    assert s["preread"] != "0001-01-01T00:00:00Z"
    assert "networks" in s  # its own netns (only lo until the bridge issue)
    one = c.stats(stream=False, one_shot=True)
    assert one["preread"] == "0001-01-01T00:00:00Z"
    stream = c.stats(stream=True, decode=True)
    a, b = next(stream), next(stream)
    assert b["precpu_stats"] == a["cpu_stats"]
    stream.close()


# -- update --------------------------------------------------------------------------------

def _cg(d: Any, cid: str, ctrl: str, f: str) -> str:
    st = json.loads((Path(d.exec_root) / "runtime" / cid / "state.json").read_text())
    paths = st["cgroupPaths"]
    return (Path(paths[ctrl]) / f).read_text().strip()


def test_update_live_and_persisted(d: Any) -> None:
    cid = run_d(d, "--name", "up1", "busybox", "sleep", "60")
    d.docker("update", "-m", "48m", "--cpus", "0.5", "--pids-limit", "20",
             "--restart", "on-failure:3", "up1")
    hc = inspect(d, "up1")["HostConfig"]
    assert hc["Memory"] == 48 << 20 and hc["NanoCpus"] == 500_000_000
    assert hc["PidsLimit"] == 20
    assert hc["RestartPolicy"] == {"Name": "on-failure", "MaximumRetryCount": 3}
    assert int(_cg(d, cid, "memory", "memory.limit_in_bytes")) == 48 << 20
    assert _cg(d, cid, "cpu", "cpu.cfs_quota_us") == "50000"
    assert _cg(d, cid, "pids", "pids.max") == "20"
    c = d.client().containers.get("up1")
    c.update(mem_limit="40m", memswap_limit="80m")
    assert int(_cg(d, cid, "memory", "memory.limit_in_bytes")) == 40 << 20
    assert c.attrs is not None
    c.reload()
    assert c.attrs["HostConfig"]["MemorySwap"] == 80 << 20


def test_update_errors(d: Any) -> None:
    run_d(d, "--name", "up2", "-m", "32m", "busybox", "sleep", "60")
    res = d.docker("update", "-m", "1m", "up2", check=False)
    assert res.returncode == 1 and "Minimum memory limit allowed is 6MB" in res.stderr
    res = d.docker("update", "-m", "100m", "up2", check=False)
    assert "Memory limit should be smaller than already set memoryswap limit" in res.stderr
    res = d.docker("update", "--blkio-weight", "5", "up2", check=False)
    assert "Range of blkio weight is from 10 to 1000" in res.stderr
    res = d.docker("update", "--cpu-period", "10", "up2", check=False)
    assert "CPU cfs period can not be less than 1ms" in res.stderr
    assert inspect(d, "up2")["HostConfig"]["Memory"] == 32 << 20  # unchanged
    d.docker("create", "--rm", "--name", "up3", "busybox", "true")
    res = d.docker("update", "--restart", "always", "up3", check=False)
    assert "Restart policy cannot be updated because AutoRemove is enabled" in res.stderr


def test_update_stopped_applies_on_start(d: Any) -> None:
    cid = d.docker("create", "--name", "up4", "busybox", "sleep", "60").stdout.strip()
    d.docker("update", "-m", "24m", "up4")
    d.docker("start", "up4")
    assert int(_cg(d, cid, "memory", "memory.limit_in_bytes")) == 24 << 20
