"""docker-py (and raw API) against berthd's container routes, and containers surviving a
kill -9 of berthd."""

from __future__ import annotations

import os
import shutil
import time
from typing import Any

import pytest

from berth.testing.rootfs import make_busybox_tar
from berth.testing.waiting import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.root,
              pytest.mark.skipif(os.geteuid() != 0, reason="containers need root"),
              pytest.mark.skipif(shutil.which("docker") is None, reason="no docker CLI")]


def _import_busybox(d: Any, tmp: Any) -> Any:
    tar = make_busybox_tar(tmp / "busybox.tar", tmp)
    d.docker("import", "-c", 'CMD ["sh"]', str(tar), "busybox:latest")
    return d


@pytest.fixture(scope="module")
def d(berthd_module: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    return _import_busybox(berthd_module, tmp_path_factory.mktemp("busybox"))


@pytest.fixture(autouse=True)
def _clean(request: pytest.FixtureRequest) -> Any:
    yield
    if "d" in request.fixturenames:
        request.getfixturevalue("d").remove_all_containers()


def test_dockerpy_run_attached(d: Any) -> None:
    c = d.client()
    assert c.containers.run("busybox", "echo hi") == b"hi\n"
    assert c.containers.run("busybox", "echo bye", remove=True) == b"bye\n"


def test_dockerpy_run_error(d: Any) -> None:
    import docker

    c = d.client()
    with pytest.raises(docker.errors.ContainerError) as err:
        c.containers.run("busybox", ["sh", "-c", "echo bad >&2; exit 2"])
    assert err.value.exit_status == 2
    assert err.value.stderr == b"bad\n"


def test_dockerpy_detach_logs_wait_remove(d: Any) -> None:
    c = d.client()
    ctr = c.containers.run("busybox", ["sh", "-c", "echo one; echo two >&2"], detach=True,
                           name="py1")
    assert ctr.wait(timeout=30) == {"StatusCode": 0, "Error": None}
    assert ctr.logs() == b"one\ntwo\n"
    assert ctr.logs(stderr=False) == b"one\n"
    ctr.reload()
    assert ctr.status == "exited" and ctr.name == "py1"
    assert [x.id for x in c.containers.list(all=True)] == [ctr.id]
    ctr.remove()
    assert c.containers.list(all=True) == []


def test_dockerpy_lifecycle(d: Any) -> None:
    import docker

    c = d.client()
    ctr = c.containers.create("busybox", ["sleep", "100"], name="life")
    assert ctr.status == "created"
    ctr.start()
    ctr.reload()
    assert ctr.status == "running"
    assert c.containers.list()[0].id == ctr.id
    # start returns once the init has left the exec fifo, maybe before its execve (runc
    # does the same): poll top until the user process shows.
    deadline = time.monotonic() + 10
    while not any("sleep" in " ".join(p) for p in ctr.top()["Processes"]):
        assert time.monotonic() < deadline, ctr.top()
        time.sleep(0.02)
    ctr.rename("life2")
    ctr.stop(timeout=1)
    ctr.reload()
    assert ctr.status == "exited" and ctr.name == "life2"
    with pytest.raises(docker.errors.NotFound):
        c.containers.get("life")
    ctr.remove()


def test_dockerpy_wait_removed_with_autoremove(d: Any) -> None:
    c = d.client()
    ctr = c.containers.run("busybox", ["sh", "-c", "exit 4"], detach=True, auto_remove=True)
    res = c.api.wait(ctr.id, condition="removed")
    assert res["StatusCode"] == 4
    wait_for(lambda: c.containers.list(all=True) == [])


def test_containers_survive_berthd_kill9(berthd: Any, tmp_path: Any) -> None:
    d = _import_busybox(berthd, tmp_path)
    cid = d.docker("run", "-d", "--name", "survivor", "busybox", "sh", "-c",
                   "echo before; exec sleep 100").stdout.strip()
    wait_for(lambda: d.docker("logs", "survivor").stdout == "before\n")
    pid = int(d.docker("inspect", "-f", "{{.State.Pid}}", "survivor").stdout)
    d.kill9_and_restart()
    os.kill(pid, 0)  # the container's process outlived berthd
    info = d.docker("inspect", "-f", "{{.State.Status}} {{.State.Pid}}", "survivor").stdout
    assert info.split() == ["running", str(pid)]
    assert cid[:12] in d.docker("ps", "-q").stdout
    assert d.docker("logs", "survivor").stdout == "before\n"
    d.docker("stop", "-t", "1", "survivor")
    assert d.docker("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}",
                    "survivor").stdout == "exited 137\n"
    d.docker("rm", "survivor")


def test_container_exit_while_berthd_down(berthd: Any, tmp_path: Any) -> None:
    d = _import_busybox(berthd, tmp_path)
    d.docker("run", "-d", "--name", "short", "busybox", "sleep", "100")
    pid = int(d.docker("inspect", "-f", "{{.State.Pid}}", "short").stdout)
    os.kill(berthd.proc.pid, 9)
    berthd.proc.wait()
    os.kill(pid, 9)  # the container dies while nobody serves the API
    d._spawn()
    wait_for(lambda: d.docker("inspect", "-f", "{{.State.Status}}", "short").stdout
             == "exited\n")
    assert d.docker("inspect", "-f", "{{.State.ExitCode}}", "short").stdout == "137\n"


def test_sigterm_leaves_containers_running(berthd_factory: Any, tmp_path: Any) -> None:
    d = _import_busybox(berthd_factory(), tmp_path)
    d.docker("run", "-d", "--name", "keep", "busybox", "sleep", "100")
    pid = int(d.docker("inspect", "-f", "{{.State.Pid}}", "keep").stdout)
    d.proc.terminate()
    assert d.proc.wait(15) == 0
    os.kill(pid, 0)  # still running without berthd
    d._spawn()
    assert d.docker("inspect", "-f", "{{.State.Status}}", "keep").stdout == "running\n"
