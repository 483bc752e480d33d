"""Container routes over a fake backend: shapes, status codes, error messages."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import test_api_containers_fake as fake
from test_api_containers_fake import CID, FakeContainers

from berth._util import stdcopy

Client = Any
ctrs, cclient = fake.ctrs, fake.cclient  # shared fixtures


async def test_create_201_and_name(cclient: Client, ctrs: FakeContainers) -> None:
    r = await cclient.post("/v1.44/containers/create?name=web", json={"Image": "busybox"})
    assert r.status == 201
    assert await r.json() == {"Id": CID, "Warnings": []}
    assert ctrs.calls[-1] == ("create", ({"Image": "busybox"}, "web"))


async def test_create_missing_image_is_404_with_moby_message(cclient: Client) -> None:
    r = await cclient.post("/containers/create", json={"Image": "alpine"})
    assert r.status == 404
    assert (await r.json())["message"] == "No such image: alpine:latest"


@pytest.mark.parametrize(("body", "needle"), [
    (b"", "config cannot be empty"), (b"{nope", "invalid JSON"), (b"[1]", "must be an object")])
async def test_create_bad_body_is_400(cclient: Client, body: bytes, needle: str) -> None:
    r = await cclient.post("/containers/create", data=body)
    assert r.status == 400
    assert needle in (await r.json())["message"]


async def test_create_without_service_is_501(client: Client) -> None:
    r = await client.post("/containers/create", json={"Image": "busybox"})
    assert r.status == 501
    assert "container service" in (await r.json())["message"]


async def test_start_204_then_304(cclient: Client, ctrs: FakeContainers) -> None:
    ctrs.add(running=False)
    assert (await cclient.post("/containers/web/start")).status == 204
    r = await cclient.post("/containers/web/start")
    assert r.status == 304
    assert await r.read() == b""


async def test_stop_params(cclient: Client, ctrs: FakeContainers) -> None:
    ctrs.add()
    r = await cclient.post("/v1.44/containers/web/stop?t=5&signal=SIGINT")
    assert r.status == 204
    assert ctrs.calls[-1] == ("stop", ("web", 5, "SIGINT"))
    assert (await cclient.post("/containers/web/stop")).status == 304
    r = await cclient.post("/containers/web/stop?t=soon")
    assert r.status == 400 and "t" in (await r.json())["message"]


async def test_stop_signal_ignored_before_1_42(cclient: Client, ctrs: FakeContainers) -> None:
    ctrs.add()
    assert (await cclient.post("/v1.41/containers/web/stop?signal=HUP")).status == 204
    assert ctrs.calls[-1] == ("stop", ("web", None, None))


async def test_kill_not_running_409(cclient: Client, ctrs: FakeContainers) -> None:
    ctrs.add(running=False)
    r = await cclient.post("/containers/web/kill?signal=HUP")
    assert r.status == 409
    assert (await r.json())["message"] == f"Container {CID} is not running"


async def test_unknown_container_404(cclient: Client) -> None:
    for method, path in (("POST", "/containers/nope/start"), ("GET", "/containers/nope/json"),
                         ("DELETE", "/containers/nope"), ("POST", "/containers/nope/wait")):
        r = await cclient.request(method, path)
        assert r.status == 404, path
        assert (await r.json())["message"] == "No such container: nope"


async def test_lifecycle_verbs(cclient: Client, ctrs: FakeContainers) -> None:
    ctrs.add()
    assert (await cclient.post("/containers/web/pause")).status == 204
    assert (await cclient.post("/containers/web/unpause")).status == 204
    assert (await cclient.post("/containers/web/restart?t=1")).status == 204
    assert ("restart", (CID, 1)) in ctrs.calls
    assert (await cclient.post("/containers/web/rename?name=db")).status == 204
    assert (await cclient.post("/containers/db/rename")).status == 400
    assert (await cclient.post("/containers/db/resize?h=30&w=120")).status == 200
    assert ctrs.calls[-1] == ("resize", (CID, 30, 120))
    assert (await cclient.post("/containers/db/resize?h=x&w=1")).status == 400
    r = await cclient.delete("/containers/db?force=1&v=True&link=0")
    assert r.status == 204
    assert ctrs.calls[-1] == ("remove", ("db", True, True, False))


async def test_wait_flushes_headers_before_exit(cclient: Client, ctrs: FakeContainers) -> None:
    ctrs.add()
    r = await cclient.post("/containers/web/wait?condition=next-exit")
    assert r.status == 200  # headers arrived while the container still runs
    ctrs.exit_code = 3
    ctrs.exit.set()
    assert await r.json() == {"StatusCode": 3, "Error": None}
    assert ("wait", (CID, "next-exit")) in ctrs.calls


async def test_wait_bad_condition(cclient: Client, ctrs: FakeContainers) -> None:
    ctrs.add()
    r = await cclient.post("/containers/web/wait?condition=later")
    assert r.status == 400
    assert "invalid condition" in (await r.json())["message"]


async def test_abandoned_wait_is_cancelled(cclient: Client, ctrs: FakeContainers) -> None:
    ctrs.add()
    r = await cclient.post("/containers/web/wait")
    assert r.status == 200
    r.close()
    ctrs.exit.set()  # nothing is left to write to; the server must not choke
    assert (await cclient.get("/containers/web/json")).status == 200


async def test_list_and_filters(cclient: Client, ctrs: FakeContainers) -> None:
    ctrs.add()
    r = await cclient.get('/containers/json?all=1&limit=-1&size=0&filters={"status":["running"]}')
    assert r.status == 200
    assert await r.json() == [{"Id": CID, "Names": ["/web"]}]
    assert ctrs.calls[-1] == ("list", (True, -1, False, {"status": ["running"]}))
    r = await cclient.get('/containers/json?filters={"colour":{"red":true}}')
    assert r.status == 400
    assert (await r.json())["message"] == "invalid filter 'colour'"


async def test_inspect_size(cclient: Client, ctrs: FakeContainers) -> None:
    ctrs.add()
    assert "SizeRw" not in await (await cclient.get("/containers/web/json")).json()
    assert (await (await cclient.get("/containers/web/json?size=1")).json())["SizeRw"] == 1


async def test_top_changes_prune_export(cclient: Client, ctrs: FakeContainers) -> None:
    ctrs.add()
    top = await (await cclient.get("/containers/web/top?ps_args=aux")).json()
    assert top["Processes"] == [["1", "aux"]]
    assert await (await cclient.get("/containers/web/changes")).json() == [
        {"Path": "/tmp", "Kind": 0}]
    r = await cclient.post("/containers/prune")
    assert await r.json() == {"ContainersDeleted": None, "SpaceReclaimed": 0}
    assert (await cclient.post('/containers/prune?filters={"x":["1"]}')).status == 400
    r = await cclient.get("/containers/web/export")
    assert r.headers["Content-Type"] == "application/x-tar"
    assert await r.read() == b"tarball"


async def test_logs_framed_and_content_types(cclient: Client, ctrs: FakeContainers) -> None:
    ctrs.add()
    ctrs.log_items = [(1, b"out\n"), (2, b"err\n")]
    r = await cclient.get("/v1.44/containers/web/logs?stdout=1&stderr=1&tail=all")
    assert r.headers["Content-Type"] == "application/vnd.docker.multiplexed-stream"
    assert stdcopy.demux(await r.read()) == (b"out\n", b"err\n")
    r = await cclient.get("/v1.41/containers/web/logs?stdout=1")
    assert r.headers["Content-Type"] == "application/vnd.docker.raw-stream"
    kw = ctrs.calls[-1][1]
    assert kw["stdout"] and not kw["stderr"] and kw["tail"] == -1


async def test_logs_tty_is_raw(cclient: Client, ctrs: FakeContainers) -> None:
    ctrs.add(tty=True)
    ctrs.log_items = [(1, b"a"), (1, b"b")]
    r = await cclient.get("/containers/web/logs?stdout=1&follow=1&since=10.5&tail=3")
    assert await r.read() == b"ab"
    kw = ctrs.calls[-1][1]
    assert kw["follow"] and kw["since_ns"] == 10_500_000_000 and kw["tail"] == 3


@pytest.mark.parametrize(("query", "needle"), [
    ("", "you must choose at least one stream"), ("stdout=1&tail=ten", "tail"),
    ("stdout=1&since=yesterday", "since")])
async def test_logs_bad_params(cclient: Client, ctrs: FakeContainers, query: str,
                               needle: str) -> None:
    ctrs.add()
    r = await cclient.get(f"/containers/web/logs?{query}")
    assert r.status == 400
    assert needle in (await r.json())["message"]


async def test_exec_routes(cclient: Client, ctrs: FakeContainers) -> None:
    ctrs.add()
    r = await cclient.post("/containers/web/exec", json={"Cmd": ["ls"], "AttachStdout": True})
    assert r.status == 201 and await r.json() == {"Id": "e1"}
    assert (await cclient.post("/containers/web/exec", json={"Cmd": []})).status == 400
    assert (await (await cclient.get("/exec/e1/json")).json())["ID"] == "e1"
    assert (await cclient.post("/exec/e1/resize?h=1&w=2")).status == 200
    r = await cclient.post("/exec/e1/start", json={"Detach": True})
    assert r.status == 200
    r = await cclient.post("/exec/nope/start", json={})
    assert r.status == 404 and (await r.json())["message"] == "No such exec instance: nope"


async def test_exec_without_backend_is_501(cclient: Client, fakes: Any) -> None:
    fakes.execs = None
    r = await cclient.post("/containers/web/exec", json={"Cmd": ["ls"]})
    assert r.status == 501
    assert "exec" in (await r.json())["message"]


async def test_wait_runs_concurrently_with_start(cclient: Client, ctrs: FakeContainers) -> None:
    """docker run: wait is opened before start and must not block it."""
    ctrs.add(running=False)
    waiter = asyncio.ensure_future(cclient.post("/containers/web/wait?condition=removed"))
    assert (await cclient.post("/containers/web/start")).status == 204
    ctrs.exit.set()
    r = await waiter
    assert (await r.json())["StatusCode"] == 0
