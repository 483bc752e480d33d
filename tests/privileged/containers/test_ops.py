"""The container service for real: stats, update, restart policies, AutoRemove on a failed
start, the attach event."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from berth.containers.service import ContainerService
from berth.errdefs import Conflict, InvalidArgument, NotFound

sys.path.insert(0, str(Path(__file__).parent))
from ctrtest_util import Env, until

pytestmark = pytest.mark.root
T = 20.0


async def make(svc: ContainerService, body: dict[str, Any], name: str | None = None) -> str:
    res = await asyncio.to_thread(svc.create, {"Image": "busybox", **body}, name)
    return str(res["Id"])


def cgroup_file(env: Env, cid: str, ctrl: str, name: str) -> str:
    st = json.loads((env.exec_root / "runtime" / cid / "state.json").read_text())
    return (Path(st["cgroupPaths"][ctrl]) / name).read_text().strip()


async def test_stats_sample_and_stream(env: Env) -> None:
    svc = env.service()
    cid = await make(svc, {"Cmd": ["sleep", "60"], "HostConfig": {"Memory": 32 << 20}}, "st")
    await svc.start(cid)
    one = [s async for s in svc.stats(cid, stream=False, one_shot=True)]
    assert len(one) == 1 and one[0]["memory_stats"]["limit"] == 32 << 20
    assert one[0]["pids_stats"]["current"] == 1 and one[0]["name"] == "/st"
    gen = svc.stats(cid, stream=True)
    a = await anext(gen)
    b = await anext(gen)
    await gen.aclose()
    assert b["precpu_stats"] == a["cpu_stats"] and b["preread"] == a["read"]
    assert b["cpu_stats"]["cpu_usage"]["total_usage"] >= a["cpu_stats"]["cpu_usage"][
        "total_usage"]
    await svc.kill(cid)
    await until(lambda: svc.inspect(cid)["State"]["Status"] == "exited")
    stopped = [s async for s in svc.stats(cid, stream=False)]
    assert stopped[0]["read"] == "0001-01-01T00:00:00Z" and stopped[0]["id"] == cid
    with pytest.raises(NotFound):
        await anext(svc.stats("nope", stream=False))


async def test_update_live(env: Env) -> None:
    svc = env.service()
    cid = await make(svc, {"Cmd": ["sleep", "60"], "HostConfig": {"Memory": 32 << 20}})
    await svc.start(cid)
    res = await asyncio.to_thread(svc.update, cid, {"Memory": 40 << 20, "CpuShares": 512,
                                                    "PidsLimit": 7})
    assert res == {"Warnings": []}
    assert int(cgroup_file(env, cid, "memory", "memory.limit_in_bytes")) == 40 << 20
    assert cgroup_file(env, cid, "cpu", "cpu.shares") == "512"
    assert cgroup_file(env, cid, "pids", "pids.max") == "7"
    hc = svc.inspect(cid)["HostConfig"]
    assert (hc["Memory"], hc["CpuShares"], hc["PidsLimit"]) == (40 << 20, 512, 7)
    with pytest.raises(Conflict, match="memoryswap"):
        await asyncio.to_thread(svc.update, cid, {"Memory": 100 << 20})
    with pytest.raises(InvalidArgument, match="Minimum memory limit"):
        await asyncio.to_thread(svc.update, cid, {"Memory": 1})
    assert env.actions(cid).count("update") == 1


async def test_on_failure_count_and_manual_stop(env: Env) -> None:
    svc = env.service()
    cid = await make(svc, {"Cmd": ["sh", "-c", "exit 2"], "HostConfig": {
        "RestartPolicy": {"Name": "on-failure", "MaximumRetryCount": 2}}})
    await svc.start(cid)
    await until(lambda: svc.inspect(cid)["RestartCount"] == 2 and
                svc.inspect(cid)["State"]["Status"] == "exited", T)
    assert env.actions(cid).count("start") == 3 and env.actions(cid).count("die") == 3
    always = await make(svc, {"Cmd": ["sleep", "60"],
                              "HostConfig": {"RestartPolicy": {"Name": "always"}}})
    await svc.start(always)
    await asyncio.wait_for(svc.stop(always, timeout=1), T)
    assert svc.inspect(always)["State"]["Status"] == "exited"
    assert svc.inspect(always)["RestartCount"] == 0


async def test_autoremove_failed_start_is_removed(env: Env) -> None:
    svc = env.service()
    cid = await make(svc, {"Cmd": ["no-such-binary"], "HostConfig": {"AutoRemove": True}})
    removed = asyncio.ensure_future(svc.wait(cid, "removed"))
    await asyncio.sleep(0)
    with pytest.raises(InvalidArgument):
        await svc.start(cid)
    assert (await asyncio.wait_for(removed, T))["StatusCode"] == 127
    with pytest.raises(NotFound):
        svc.inspect(cid)
    assert env.actions(cid)[-1] == "destroy"


async def test_attach_event(env: Env) -> None:
    svc = env.service()
    cid = await make(svc, {"Cmd": ["true"]})
    attach = asyncio.ensure_future(svc.attach(cid, False, True, True))
    await asyncio.sleep(0)
    await svc.start(cid)
    _reader, writer = await asyncio.wait_for(attach, T)
    writer.close()
    assert env.actions(cid)[:3] == ["create", "attach", "start"]
