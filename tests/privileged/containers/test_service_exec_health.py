"""exec and healthchecks over the real container service (spawner, exec monitors)."""

from __future__ import annotations

import asyncio
import struct
import sys
from pathlib import Path
from typing import Any

import pytest

from berth.containers.service import ContainerService
from berth.errdefs import Conflict, InvalidArgument

sys.path.insert(0, str(Path(__file__).parent))
from ctrtest_util import Env, until

pytestmark = pytest.mark.root
T = 20.0


async def running(env: Env, body: dict[str, Any] | None = None) -> tuple[ContainerService, str]:
    svc = env.service()
    res = await asyncio.to_thread(svc.create, {"Image": "busybox", "Cmd": ["sleep", "300"],
                                               **(body or {})}, None)
    cid = str(res["Id"])
    await svc.start(cid)
    return svc, cid


async def read_all(reader: Any) -> dict[int, bytes]:
    """Demux a stdcopy stream into {1: stdout, 2: stderr}."""
    raw = b""
    while chunk := await reader.read(1 << 16):
        raw += chunk
    out = {1: b"", 2: b""}
    while raw:
        stream, size = struct.unpack(">BxxxI", raw[:8])
        out[stream] += raw[8:8 + size]
        raw = raw[8 + size:]
    return out


async def run_exec(svc: ContainerService, cid: str, cfg: dict[str, Any]
                   ) -> tuple[int, dict[int, bytes]]:
    eid = await asyncio.to_thread(svc.exec_create, cid, {"AttachStdout": True,
                                                         "AttachStderr": True, **cfg})
    reader, writer = await svc.exec_start(eid, detach=False)
    out = await asyncio.wait_for(read_all(reader), T)
    writer.close()
    code = await until(lambda: svc.exec_inspect(eid)["ExitCode"] is not None, T) and \
        svc.exec_inspect(eid)["ExitCode"]
    return code, out


async def stop(svc: ContainerService, cid: str) -> None:
    await svc.stop(cid, timeout=0)
    await asyncio.to_thread(svc.remove, cid, True)


async def test_exec_echo_and_exit_codes(env: Env) -> None:
    svc, cid = await running(env)
    code, out = await run_exec(svc, cid, {"Cmd": ["echo", "hi"]})
    assert (code, out) == (0, {1: b"hi\n", 2: b""})
    code, out = await run_exec(svc, cid, {"Cmd": ["sh", "-c", "echo e >&2; exit 7"]})
    assert (code, out) == (7, {1: b"", 2: b"e\n"})
    code, out = await run_exec(svc, cid, {"Cmd": ["nope"]})
    assert code == 127
    assert b'OCI runtime exec failed: exec failed: unable to start container process: ' \
           b'exec: "nope": executable file not found in $PATH: unknown' in out[1]
    assert svc.inspect(cid)["State"]["Running"]  # the container keeps running
    actions = env.actions(cid)
    assert "exec_create: echo hi" in actions and "exec_start: echo hi" in actions
    assert [e[3]["exitCode"] for e in env.events if e[1] == "exec_die"] == ["0", "7", "127"]
    await stop(svc, cid)


async def test_exec_env_workdir_user(env: Env) -> None:
    svc, cid = await running(env, {"Env": ["B=2"]})
    code, out = await run_exec(svc, cid, {"Cmd": ["sh", "-c", "echo $A $B; pwd; id -u"],
                                          "Env": ["A=1"], "WorkingDir": "/tmp",
                                          "User": "nobody"})
    assert code == 0
    assert out[1] == b"1 2\n/tmp\n65534\n"
    await stop(svc, cid)


async def test_exec_refused_when_not_running(env: Env) -> None:
    svc = env.service()
    res = await asyncio.to_thread(svc.create, {"Image": "busybox", "Cmd": ["true"]}, None)
    cid = res["Id"]
    with pytest.raises(Conflict, match=f"container {cid} is not running"):
        svc.exec_create(cid, {"Cmd": ["echo"]})
    with pytest.raises(InvalidArgument):
        svc.exec_create(cid, {"Cmd": []})
    await asyncio.to_thread(svc.remove, cid, True)


async def test_exec_detached_and_inspect(env: Env) -> None:
    svc, cid = await running(env)
    eid = svc.exec_create(cid, {"Cmd": ["sh", "-c", "sleep 0.2; exit 3"]})
    assert svc.exec_inspect(eid)["Running"] is False
    assert await svc.exec_start(eid, detach=True) is None
    info = svc.exec_inspect(eid)
    assert info["Running"] and info["Pid"] > 0 and info["ContainerID"] == cid
    assert svc.inspect(cid)["ExecIDs"] == [eid]
    await until(lambda: svc.exec_inspect(eid)["ExitCode"] == 3, T)
    with pytest.raises(Conflict):
        await svc.exec_start(eid, detach=True)
    await stop(svc, cid)


async def test_exec_dies_with_its_container(env: Env) -> None:
    svc, cid = await running(env)
    eid = svc.exec_create(cid, {"Cmd": ["sleep", "300"]})
    await svc.exec_start(eid, detach=True)
    await svc.kill(cid, "KILL")
    await until(lambda: svc.exec_inspect(eid)["ExitCode"] is not None, T)
    await until(lambda: not (env.exec_root / "containers" / cid / "execs" / eid).exists(), T)
    await asyncio.to_thread(svc.remove, cid, True)


async def test_health_becomes_healthy_then_unhealthy(env: Env) -> None:
    ms = 1_000_000
    svc, cid = await running(env, {"Healthcheck": {
        "Test": ["CMD-SHELL", "test ! -e /tmp/bad && echo ok"], "Interval": 100 * ms,
        "Retries": 1}})
    assert svc.inspect(cid)["State"]["Health"]["Status"] == "starting"
    await until(lambda: svc.inspect(cid)["State"]["Health"]["Status"] == "healthy", T)
    log = svc.inspect(cid)["State"]["Health"]["Log"]
    assert log[-1]["ExitCode"] == 0 and log[-1]["Output"] == "ok\n"
    assert "(healthy)" in svc.list(filters={"health": ["healthy"]})[0]["Status"]
    await run_exec(svc, cid, {"Cmd": ["touch", "/tmp/bad"]})
    await until(lambda: svc.inspect(cid)["State"]["Health"]["Status"] == "unhealthy", T)
    acts = env.actions(cid)
    assert acts.index("health_status: healthy") < acts.index("health_status: unhealthy")
    await stop(svc, cid)


async def test_health_timeout(env: Env) -> None:
    ms = 1_000_000
    svc, cid = await running(env, {"Healthcheck": {
        "Test": ["CMD", "sleep", "10"], "Interval": 50 * ms, "Timeout": 200 * ms,
        "Retries": 1}})
    await until(lambda: svc.inspect(cid)["State"]["Health"]["Status"] == "unhealthy", T)
    entry = svc.inspect(cid)["State"]["Health"]["Log"][-1]
    assert entry["ExitCode"] == -1
    assert entry["Output"] == "Health check exceeded timeout (200ms)"
    await stop(svc, cid)
