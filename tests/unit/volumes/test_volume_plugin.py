"""Volume plugins: a real plugin server on a unix socket, driven through VolumeService."""

from __future__ import annotations

import json
import socketserver
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from volumes_fakekernel import FakeKernel

from berth.errdefs import BerthError, Conflict, NotFound
from berth.volumes import VolumeService
from berth.volumes.plugin_discovery import find, scan


class Plugin:
    """A plugin keeping each volume in a directory under ``root``; ``fail`` maps a
    method to the Err it answers (with ``status``)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.vols: dict[str, int] = {}  # name -> mount count
        self.calls: list[tuple[str, dict[str, Any], str]] = []
        self.fail: dict[str, tuple[int, str]] = {}

    def handle(self, method: str, req: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if method in self.fail:
            status, err = self.fail[method]
            return status, {"Err": err}
        name = req.get("Name", "")
        path = str(self.root / name)
        if method == "Plugin.Activate":
            return 200, {"Implements": ["VolumeDriver"]}
        if method == "VolumeDriver.Capabilities":
            return 200, {"Capabilities": {"Scope": "global"}}
        if method == "VolumeDriver.Create":
            (self.root / name).mkdir()
            self.vols[name] = 0
            return 200, {"Err": ""}
        if name and name not in self.vols and method != "VolumeDriver.List":
            return 200, {"Err": f"no such volume {name}"}
        if method == "VolumeDriver.Remove":
            del self.vols[name]
            (self.root / name).rmdir()
            return 200, {}
        if method == "VolumeDriver.Mount":
            self.vols[name] += 1
            return 200, {"Mountpoint": path}
        if method == "VolumeDriver.Unmount":
            self.vols[name] -= 1
            return 200, {}
        if method == "VolumeDriver.Path":
            return 200, {"Mountpoint": path}
        if method == "VolumeDriver.Get":
            return 200, {"Volume": {"Name": name, "Mountpoint": path,
                                    "Status": {"mounts": self.vols[name]}}}
        if method == "VolumeDriver.List":
            return 200, {"Volumes": [{"Name": n, "Mountpoint": str(self.root / n)}
                                     for n in sorted(self.vols)]}
        return 404, {"Err": "unknown method"}


@pytest.fixture
def plugin(tmp_path: Path) -> Iterator[tuple[Plugin, Path]]:
    dirs = tmp_path / "plugins"
    dirs.mkdir()
    (tmp_path / "store").mkdir()
    impl = Plugin(tmp_path / "store")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            req = json.loads(raw) if raw.strip() else {}
            method = self.path.lstrip("/")
            impl.calls.append((method, req, self.headers.get("Accept", "")))
            status, body = impl.handle(method, req)
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/vnd.docker.plugins.v1.2+json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
        daemon_threads = True

        def get_request(self) -> Any:
            sock, _ = super().get_request()
            return sock, ("local", 0)

    server = Server(str(dirs / "myplug.sock"), Handler)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    yield impl, dirs
    server.shutdown()
    server.server_close()
    t.join(5)


def _svc(tmp_path: Path, dirs: Path) -> VolumeService:
    return VolumeService(tmp_path / "data", tmp_path / "exec", None, plugin_dirs=[dirs],
                         kernel=FakeKernel(), plugin_timeout=5)


def test_discovery(tmp_path: Path, plugin: tuple[Plugin, Path]) -> None:
    _, dirs = plugin
    (dirs / "spec1.spec").write_text("unix:///nowhere.sock\n")
    (dirs / "j1").mkdir()
    (dirs / "j1" / "j1.json").write_text('{"Name": "j1", "Addr": "tcp://127.0.0.1:9"}')
    assert find([dirs], "myplug").unix == str(dirs / "myplug.sock")
    assert find([dirs], "spec1").unix == "/nowhere.sock"
    assert (find([dirs], "j1").host, find([dirs], "j1").port) == ("127.0.0.1", 9)
    assert scan([dirs]) == ["j1", "myplug", "spec1"]
    for bad in ("nosuch", "../x", ""):
        with pytest.raises(NotFound):
            find([dirs], bad)


def test_lifecycle_through_service(tmp_path: Path, plugin: tuple[Plugin, Path]) -> None:
    impl, dirs = plugin
    svc = _svc(tmp_path, dirs)
    v = svc.create({"Name": "pv", "Driver": "myplug", "DriverOpts": {"size": "1"}})
    assert (v["Driver"], v["Scope"], v["Options"]) == ("myplug", "global", {"size": "1"})
    assert v["Mountpoint"] == str(impl.root / "pv")
    create = [c for c in impl.calls if c[0] == "VolumeDriver.Create"]
    assert create == [("VolumeDriver.Create", {"Name": "pv", "Opts": {"size": "1"}},
                       "application/vnd.docker.plugins.v1.2+json")]
    svc.acquire("pv", "c1")
    path = svc.mount("pv", "c1")
    assert path == str(impl.root / "pv") and impl.vols["pv"] == 1
    assert svc.inspect("pv")["Status"] == {"mounts": 1}
    assert ("VolumeDriver.Mount", {"Name": "pv", "ID": "c1"}) in [c[:2] for c in impl.calls]
    with pytest.raises(Conflict):
        svc.remove("pv")
    svc.unmount("pv", "c1")
    svc.release("pv", "c1")
    assert impl.vols["pv"] == 0
    svc.remove("pv")
    assert "pv" not in impl.vols and not (impl.root / "pv").exists()
    svc.close()


def test_plugin_volume_listed_and_adopted(tmp_path: Path, plugin: tuple[Plugin, Path]) -> None:
    impl, dirs = plugin
    (impl.root / "outside").mkdir()
    impl.vols["outside"] = 0  # made by the plugin's own tools, unknown to berth
    svc = _svc(tmp_path, dirs)
    svc.create({"Name": "loc"})
    listed = {(v["Driver"], v["Name"]) for v in svc.list()["Volumes"]}
    assert listed == {("local", "loc"), ("myplug", "outside")}
    assert svc.list({"driver": ["myplug"]})["Volumes"][0]["Name"] == "outside"
    assert svc.inspect("outside")["Driver"] == "myplug"
    svc.close()


def test_plugin_errors_are_clear(tmp_path: Path, plugin: tuple[Plugin, Path]) -> None:
    impl, dirs = plugin
    svc = _svc(tmp_path, dirs)
    impl.fail["VolumeDriver.Create"] = (200, "disk full")
    with pytest.raises(BerthError) as exc:
        svc.create({"Name": "pv", "Driver": "myplug"})
    assert exc.value.message == "create pv: disk full"
    impl.fail["VolumeDriver.Create"] = (500, "quota exceeded")
    with pytest.raises(BerthError) as exc:
        svc.create({"Name": "pv", "Driver": "myplug"})
    assert exc.value.message == "create pv: VolumeDriver.Create: quota exceeded"
    assert svc.store.get("pv") is None
    del impl.fail["VolumeDriver.Create"]
    svc.create({"Name": "pv", "Driver": "myplug"})
    impl.fail["VolumeDriver.Mount"] = (200, "cannot attach")
    with pytest.raises(BerthError, match="cannot attach"):
        svc.mount("pv", "c1")
    impl.fail["VolumeDriver.Remove"] = (200, "busy")
    with pytest.raises(BerthError, match="remove pv: busy"):
        svc.remove("pv")
    assert svc.store.get("pv") is not None
    with pytest.raises(BerthError, match="remove pv: busy"):
        svc.remove("pv", force=True)  # purged anyway, and the error still reported
    assert svc.store.get("pv") is None
    svc.close()


def test_not_a_volume_plugin(tmp_path: Path, plugin: tuple[Plugin, Path]) -> None:
    impl, dirs = plugin
    impl.fail["Plugin.Activate"] = (200, "")
    impl.fail["Plugin.Activate"] = (404, "no")
    svc = _svc(tmp_path, dirs)
    with pytest.raises(NotFound, match=r"create pv: error looking up volume plugin myplug: "
                                       "Plugin.Activate: no"):
        svc.create({"Name": "pv", "Driver": "myplug"})
    svc.close()


def test_dead_socket(tmp_path: Path) -> None:
    import socket

    dirs = tmp_path / "plugins"
    dirs.mkdir()
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(dirs / "dead.sock"))
    s.close()  # the socket file stays, nobody listens
    svc = _svc(tmp_path, dirs)
    with pytest.raises(NotFound, match=r"error looking up volume plugin dead: "
                                       "Plugin.Activate: cannot reach plugin"):
        svc.create({"Name": "pv", "Driver": "dead"})
    assert svc.list()["Volumes"] == []
    assert "dead" in svc.list()["Warnings"][0]
    svc.close()
