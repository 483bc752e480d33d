"""The container service for real: create/start/wait/logs/stop/kill/rm/inspect/ps/recover."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import pytest

from berth.containers.service import ContainerService
from berth.errdefs import Conflict, InvalidArgument, NotFound, NotModified
from berth.monitor import client as mclient

sys.path.insert(0, str(Path(__file__).parent))
from ctrtest_util import Env, until

pytestmark = pytest.mark.root
T = 20.0


async def run_sync(fn: Any, *args: Any, **kw: Any) -> Any:
    return await asyncio.to_thread(fn, *args, **kw)


async def make(svc: ContainerService, body: dict[str, Any], name: str | None = None) -> str:
    res = await run_sync(svc.create, {"Image": "busybox", **body}, name)
    assert res["Warnings"] == []
    return str(res["Id"])


async def test_run_exit_code_and_logs(env: Env) -> None:
    svc = env.service()
    cid = await make(svc, {"Cmd": ["sh", "-c", "echo out; echo err >&2; exit 3"]}, "job")
    waiter = asyncio.ensure_future(svc.wait(cid, "next-exit"))
    await svc.start(cid)
    assert await asyncio.wait_for(waiter, T) == {"StatusCode": 3, "Error": None}
    logs = list(svc.logs(cid))
    assert sorted(logs) == [(1, b"out\n"), (2, b"err\n")]
    info = svc.inspect("job")
    assert info["State"]["Status"] == "exited" and info["State"]["ExitCode"] == 3
    assert info["Name"] == "/job" and info["Path"] == "sh"
    assert env.actions(cid) == ["create", "start", "die"]
    assert env.events[-1][3]["exitCode"] == "3"
    assert await svc.wait(cid, "not-running") == {"StatusCode": 3, "Error": None}
    with pytest.raises(NotModified):
        await svc.stop(cid)


async def test_missing_command_is_127(env: Env) -> None:
    svc = env.service()
    cid = await make(svc, {"Cmd": ["nope"]})
    with pytest.raises(InvalidArgument, match=r'failed to create task for container: .*nope'):
        await svc.start(cid)
    st = svc.inspect(cid)["State"]
    assert st["ExitCode"] == 127 and "nope" in st["Error"] and st["Status"] == "created"
    assert not (env.exec_root / "containers" / cid / "rootfs").is_mount()


async def test_stop_sigterm_then_sigkill(env: Env) -> None:
    svc = env.service()
    polite = await make(svc, {"Cmd": ["sleep", "100"], "HostConfig": {"Init": True}})
    stubborn = await make(svc, {"Cmd": ["sh", "-c", "trap '' TERM; while :; do sleep 1; done"]})
    for cid in (polite, stubborn):
        await svc.start(cid)
        assert svc.inspect(cid)["State"]["Running"]
    await asyncio.wait_for(svc.stop(polite, timeout=10), T)
    assert svc.inspect(polite)["State"]["ExitCode"] == 143
    await asyncio.wait_for(svc.stop(stubborn, timeout=1), T)
    assert svc.inspect(stubborn)["State"]["ExitCode"] == 137
    assert env.actions(stubborn)[-4:] == ["kill", "kill", "die", "stop"]


async def test_kill_and_remove(env: Env) -> None:
    svc = env.service()
    cid = await make(svc, {"Cmd": ["sleep", "100"]}, "web")
    await svc.start(cid)
    with pytest.raises(Conflict, match="You cannot remove a running container"):
        await run_sync(svc.remove, "web")
    with pytest.raises(Conflict, match='The container name "/web" is already in use'):
        await make(svc, {"Cmd": ["true"]}, "web")
    waiter = asyncio.ensure_future(svc.wait(cid, "not-running"))
    await svc.kill(cid, "KILL")
    assert (await asyncio.wait_for(waiter, T))["StatusCode"] == 137
    with pytest.raises(Conflict, match="is not running"):
        await svc.kill(cid, "TERM")
    gone = asyncio.ensure_future(svc.wait(cid, "removed"))
    await asyncio.sleep(0)  # the waiter registers before the removal's thread can finish
    await run_sync(svc.remove, "web")
    await asyncio.wait_for(gone, T)
    with pytest.raises(NotFound, match="No such container: web"):
        svc.inspect("web")
    assert f"container-{cid}" not in {i.key for i in env.snap.walk()}
    assert env.actions(cid)[-1] == "destroy"


async def test_force_remove_running(env: Env) -> None:
    svc = env.service()
    cid = await make(svc, {"Cmd": ["sleep", "100"]})
    await svc.start(cid)
    await run_sync(svc.remove, cid, force=True)
    assert svc.list(all=True) == []


async def test_rmi_refused_while_used(env: Env) -> None:
    svc = env.service()
    cid = await make(svc, {"Cmd": ["true"]})
    with pytest.raises(Conflict):
        await run_sync(env.images.remove_image, "busybox", force=False)
    await run_sync(svc.remove, cid)


async def test_inspect_shape_and_list_filters(env: Env) -> None:
    svc = env.service()
    a = await make(svc, {"Cmd": ["sleep", "100"], "Labels": {"role": "db"}}, "aa")
    b = await make(svc, {"Cmd": ["true"]}, "bb")
    await svc.start(a)
    info = svc.inspect(a)
    for key in ("Id", "Created", "Path", "Args", "State", "Image", "ResolvConfPath",
                "HostnamePath", "HostsPath", "LogPath", "Name", "RestartCount", "Driver",
                "Platform", "MountLabel", "ProcessLabel", "AppArmorProfile", "ExecIDs",
                "HostConfig", "GraphDriver", "Mounts", "Config", "NetworkSettings"):
        assert key in info, key
    assert info["State"]["Pid"] > 0 and info["Config"]["Hostname"] == a[:12]
    assert Path(info["HostnamePath"]).read_text() == a[:12] + "\n"
    running = svc.list()
    assert [c["Id"] for c in running] == [a] and running[0]["Status"].startswith("Up ")
    assert running[0]["Names"] == ["/aa"] and running[0]["Command"] == "sleep 100"
    assert {c["Id"] for c in svc.list(all=True)} == {a, b}
    assert [c["Id"] for c in svc.list(all=True, filters={"status": ["created"]})] == [b]
    assert [c["Id"] for c in svc.list(all=True, filters={"label": ["role=db"]})] == [a]
    assert [c["Id"] for c in svc.list(all=True, filters={"name": ["bb"]})] == [b]
    assert [c["Id"] for c in svc.list(all=True, filters={"ancestor": ["busybox"]})] != []
    assert [c["Id"] for c in svc.list(all=True, filters={"since": ["aa"]})] == [b]
    assert svc.list(all=True, limit=1)[0]["Id"] == b
    await svc.stop(a, timeout=0)


async def test_recover_running_and_exited(env: Env) -> None:
    svc = env.service()
    live = await make(svc, {"Cmd": ["sleep", "100"], "HostConfig": {"Init": True}})
    gone = await make(svc, {"Cmd": ["sleep", "100"]})
    await svc.start(live)
    await svc.start(gone)
    svc.close()  # berthd dies: its watchers go, the monitors stay
    await asyncio.sleep(0)
    state_dir = env.exec_root / "containers" / gone
    await mclient.signal(state_dir / "monitor.sock", 9)
    await until(lambda: (state_dir / "exit.json").exists())
    svc2 = env.service()
    await svc2.recover()
    assert svc2.inspect(live)["State"]["Running"]
    g = svc2.inspect(gone)["State"]
    assert g["Status"] == "exited" and g["ExitCode"] == 137
    assert not (state_dir / "rootfs").is_mount()
    await asyncio.wait_for(svc2.stop(live), T)
    assert svc2.inspect(live)["State"]["ExitCode"] == 143


async def test_seccomp_filter_compiled_once(env: Env) -> None:
    """The monitor's create child reads the filter from <exec-root>/seccomp after the
    first container with a profile compiled it (libseccomp is not run per container)."""
    svc = env.service()
    cache, stamp = env.exec_root / "seccomp", 0
    for n in range(2):
        cid = await make(svc, {"Cmd": ["true"]})
        waiter = asyncio.ensure_future(svc.wait(cid, "next-exit"))
        await svc.start(cid)
        assert await asyncio.wait_for(waiter, T) == {"StatusCode": 0, "Error": None}
        files = sorted(cache.glob("*.bpf"))
        assert len(files) == 1 and files[0].stat().st_size > 0
        if n == 0:
            stamp = files[0].stat().st_mtime_ns
    assert files[0].stat().st_mtime_ns == stamp  # read, not written again


async def test_network_plumbing_failure_after_the_spawn_ends_the_container(env: Env) -> None:
    """The veths are made while the runtime creates the container (NetPlan.plumb); if
    that fails, the created init is killed, its exit recorded, and the start fails."""
    from berth.containers._ports import NetPlan
    from berth.containers.defaults import LoopbackNetworks
    from berth.errdefs import BerthError

    plumbed: list[str] = []

    class BrokenPlumbing(LoopbackNetworks):
        def attach(self, rec: dict[str, Any], ctr_dir: Path) -> NetPlan:
            plan = super().attach(rec, ctr_dir)

            def boom() -> None:
                plumbed.append(rec["ID"])
                raise OSError(19, "no such device")

            plan.plumb = boom
            return plan

    svc = env.service()
    svc.networks = BrokenPlumbing()
    cid = await make(svc, {"Cmd": ["true"]})
    with pytest.raises(BerthError, match="failed to set up the container's network"):
        await svc.start(cid)
    assert plumbed == [cid]
    await until(lambda: svc.inspect(cid)["State"]["Status"] == "exited", T)
    state = svc.inspect(cid)["State"]
    assert state["ExitCode"] == 137 and not state["Running"]
    await until(lambda: not mclient.monitor_alive(svc.state_dir(cid)), T)
    await run_sync(svc.remove, cid)


async def test_recover_finishes_a_start_berthd_died_in(env: Env) -> None:
    """kill -9 of berthd after the spawn and before the running record: a container whose
    init runs is adopted as running; one whose init still waits for its start is killed."""
    from berth.containers import bundle

    svc = env.service()
    ran = await make(svc, {"Cmd": ["sleep", "100"]})
    await svc.start(ran)
    rec = svc.get(ran)
    rec["State"].update(Status="created", Running=False, Pid=0)  # the record lagged
    svc.store.save(rec)
    held = await make(svc, {"Cmd": ["sleep", "100"]})
    rec = svc.get(held)
    await run_sync(bundle.prepare, rec, svc.snapshotter, svc.ctr_dir(held),
                   svc.state_dir(held), svc.networks, svc.volumes)
    await svc._spawn(rec, start=False)  # created, its init blocked on the exec fifo
    svc.close()
    svc2 = env.service()
    await svc2.recover()
    st = svc2.inspect(ran)["State"]
    assert st["Status"] == "running" and st["Pid"] > 0
    await until(lambda: svc2.inspect(held)["State"]["Status"] == "exited", T)
    assert svc2.inspect(held)["State"]["ExitCode"] == 137
    await until(lambda: not mclient.monitor_alive(svc2.state_dir(held)), T)
    waiter = asyncio.ensure_future(svc2.wait(ran, "not-running"))
    await svc2.kill(ran, "KILL")
    assert (await asyncio.wait_for(waiter, T))["StatusCode"] == 137
