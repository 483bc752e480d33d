"""Volumes end to end: the docker CLI, berth's CLI and docker-py against berthd.

Outputs are compared between the two CLIs (rows as sets where docker's order comes from
a Go map); errors must carry docker's messages and exit codes; a plugin served from
/run/docker/plugins is listed; volume data survives kill -9 of berthd.
"""

from __future__ import annotations

import json
import os
import secrets
import socketserver
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e


def _both(d: Any, *args: str, check: bool = True, input: str | None = None
          ) -> tuple[Any, Any]:
    return (d.berth(*args, check=check, input=input),
            d.docker(*args, check=check, input=input))


def _same(d: Any, *args: str, rows: bool = False) -> str:
    b, k = _both(d, *args)
    if rows:
        assert sorted(b.stdout.splitlines()) == sorted(k.stdout.splitlines())
    else:
        assert b.stdout == k.stdout
    return str(b.stdout)


def _same_error(d: Any, *args: str) -> str:
    b, k = _both(d, *args, check=False)
    assert (b.returncode, b.stderr.replace("berth", "docker")) == (k.returncode, k.stderr)
    assert b.returncode != 0
    return str(b.stderr)


@pytest.fixture
def vd(berthd_module: Any) -> Iterator[Any]:
    yield berthd_module
    names = berthd_module.docker("volume", "ls", "-q").stdout.split()
    if names:
        berthd_module.docker("volume", "rm", "-f", *names, check=False)


def test_create_ls_inspect_same_as_docker(vd: Any) -> None:
    assert vd.docker("volume", "create", "--label", "a=1", "--label", "b", "dv1").stdout \
        == "dv1\n"
    assert vd.berth("volume", "create", "-o", "type=tmpfs", "-o", "device=tmpfs",
                    "-o", "o=size=1m", "bv1").stdout == "bv1\n"
    anon = vd.berth("volume", "create").stdout.strip()
    assert len(anon) == 64
    out = _same(vd, "volume", "ls")
    assert out.splitlines()[0].split() == ["DRIVER", "VOLUME", "NAME"]
    _same(vd, "volume", "ls", "-q")
    _same(vd, "volume", "ls", "--format", "{{.Name}}|{{.Driver}}|{{.Scope}}|{{.Mountpoint}}")
    _same(vd, "volume", "ls", "--format", "{{.Links}} {{.Size}} {{.Status}} {{.Group}}")
    labels = vd.berth("volume", "ls", "-f", "name=dv1", "--format", "{{.Labels}}").stdout
    assert set(labels.strip().split(",")) == {"a=1", "b="}
    def rows(out: str) -> list[dict[str, Any]]:
        """JSON lines with Labels as a set: docker joins them in Go's random map order."""
        got = [json.loads(x) for x in out.splitlines()]
        for r in got:
            r["Labels"] = sorted(r["Labels"].split(",")) if r.get("Labels") else r["Labels"]
        return got
    assert rows(vd.berth("volume", "ls", "--format", "json").stdout) == \
        rows(vd.docker("volume", "ls", "--format", "json").stdout)
    for f in ("dangling=true", "name=v1", "label=a=1", "driver=local", "label=b"):
        _same(vd, "volume", "ls", "-q", "--filter", f)
    _same(vd, "volume", "inspect", "dv1", "bv1", anon)
    _same(vd, "volume", "inspect", "-f", "{{.Name}} {{.Driver}} {{json .Labels}}", "bv1",
          "dv1")
    info = json.loads(vd.docker("volume", "inspect", anon).stdout)[0]
    assert info["Labels"] == {"com.docker.volume.anonymous": ""}
    assert info["Mountpoint"] == str(vd.data_root / "volumes" / anon / "_data")


def test_errors_match_docker(vd: Any) -> None:
    assert "create x: volume name is too short" in _same_error(vd, "volume", "create", "x")
    assert 'create a%b: "a%b" includes invalid characters' in _same_error(
        vd, "volume", "create", "a%b")
    assert 'invalid option: "foo"' in _same_error(vd, "volume", "create", "-o", "foo=1",
                                                  "vv")
    assert 'missing required option: "device"' in _same_error(
        vd, "volume", "create", "-o", "type=tmpfs", "vv")
    assert "error looking up volume plugin nosuchdrv" in _same_error(
        vd, "volume", "create", "-d", "nosuchdrv", "vv")
    assert _same_error(vd, "volume", "inspect", "nosuch") == \
        "Error response from daemon: get nosuch: no such volume\n"
    assert "get nosuch: no such volume" in _same_error(vd, "volume", "rm", "nosuch")
    assert "invalid filter 'bogus'" in _same_error(vd, "volume", "ls", "-f", "bogus=1")
    assert "accepts no arguments" in _same_error(vd, "volume", "ls", "x")
    vd.docker("volume", "create", "okv")
    b, k = _both(vd, "volume", "rm", "nosuch", "okv", check=False)
    assert (b.returncode, k.returncode) == (1, 1)
    assert b.stderr == "Error response from daemon: get nosuch: no such volume\n"
    assert b.stdout == "okv\n" and k.stdout == ""  # the first run removed it
    assert k.stderr == b.stderr + "Error response from daemon: get okv: no such volume\n"
    assert vd.berth("volume", "rm", "-f", "nosuch").stdout == "nosuch\n"


def test_prune_same_as_docker(vd: Any) -> None:
    def setup() -> str:
        anon = vd.docker("volume", "create").stdout.strip()
        vd.docker("volume", "create", "named")
        vd.docker("volume", "create", "--label", "keep=1", "kept")
        return anon

    anon = setup()
    out = vd.berth("volume", "prune", "-f").stdout
    assert out == f"Deleted Volumes:\n{anon}\n\nTotal reclaimed space: 0B\n"
    anon = setup()
    assert vd.docker("volume", "prune", "-f").stdout == out.replace(
        out.splitlines()[1], anon)
    assert vd.berth("volume", "prune", "-f").stdout == "Total reclaimed space: 0B\n"
    b, k = _both(vd, "volume", "prune", "-a", "-f", "--filter", "label!=keep=1")
    assert b.stdout == "Deleted Volumes:\nnamed\n\nTotal reclaimed space: 0B\n"
    assert k.stdout == "Total reclaimed space: 0B\n"
    b, k = _both(vd, "volume", "prune", "-a", input="n\n")
    assert b.stdout == k.stdout and "all local volumes" in b.stdout
    assert vd.docker("volume", "ls", "-q").stdout == "kept\n"


def test_docker_py(vd: Any) -> None:
    c = vd.client()
    v = c.volumes.create("pyvol", driver_opts={"type": "tmpfs", "device": "tmpfs"},
                         labels={"x": "y"})
    assert v.attrs["Options"] == {"device": "tmpfs", "type": "tmpfs"}
    assert c.volumes.get("pyvol").attrs["Labels"] == {"x": "y"}
    assert "pyvol" in [x.name for x in c.volumes.list(filters={"label": "x=y"})]
    anon = c.api.create_volume()
    assert c.volumes.prune()["VolumesDeleted"] == [anon["Name"]]
    v.remove()
    import docker

    with pytest.raises(docker.errors.NotFound):
        c.volumes.get("pyvol")


def test_system_df_volumes(vd: Any) -> None:
    vd.docker("volume", "create", "dfv")
    Path(json.loads(vd.docker("volume", "inspect", "dfv").stdout)[0]["Mountpoint"],
         "f").write_bytes(b"z" * 2048)
    b, k = _both(vd, "system", "df", "-v")
    section = b.stdout.split("Local Volumes space usage:")[1].split("Build cache")[0]
    assert section == k.stdout.split("Local Volumes space usage:")[1].split("Build cache")[0]
    assert "dfv" in section and "2.048kB" in section
    _same(vd, "system", "df")


@pytest.fixture
def plugin_sock() -> Iterator[tuple[str, Path, list[str]]]:
    """A volume plugin in /run/docker/plugins (where dockerd looks) keeping volumes in
    a temporary directory."""
    import tempfile

    name = "berthtest" + secrets.token_hex(4)
    store = Path(tempfile.mkdtemp(prefix="bvp-"))
    vols: dict[str, str] = {"fromplugin": str(store / "fromplugin")}
    os.makedirs(vols["fromplugin"])
    calls: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            n = int(self.headers.get("Content-Length") or 0)
            req = json.loads(self.rfile.read(n) or b"{}")
            method, vname = self.path.lstrip("/"), req.get("Name", "")
            calls.append(f"{method} {vname}".strip())
            body: dict[str, Any] = {}
            if method == "Plugin.Activate":
                body = {"Implements": ["VolumeDriver"]}
            elif method == "VolumeDriver.Create":
                vols[vname] = str(store / vname)
                os.makedirs(vols[vname], exist_ok=True)
            elif method == "VolumeDriver.List":
                body = {"Volumes": [{"Name": k, "Mountpoint": v} for k, v in vols.items()]}
            elif method == "VolumeDriver.Get":
                body = ({"Volume": {"Name": vname, "Mountpoint": vols[vname]}}
                        if vname in vols else {"Err": "no such volume"})
            elif method == "VolumeDriver.Remove":
                vols.pop(vname, None)
            elif method in ("VolumeDriver.Path", "VolumeDriver.Mount"):
                body = {"Mountpoint": vols.get(vname, "")}
            elif method == "VolumeDriver.Capabilities":
                body = {"Capabilities": {"Scope": "local"}}
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    errors: list[BaseException] = []

    class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
        daemon_threads = True

        def get_request(self) -> Any:
            return super().get_request()[0], ("local", 0)

        def handle_error(self, request: Any, client_address: Any) -> None:
            """A client that hangs up early is not the plugin's failure; anything else is."""
            exc = sys.exc_info()[1]
            if exc is not None and not isinstance(exc, ConnectionError):
                errors.append(exc)

    os.makedirs("/run/docker/plugins", exist_ok=True)
    sock = f"/run/docker/plugins/{name}.sock"
    server = Server(sock, Handler)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    try:
        yield name, store, calls
        assert not errors, errors
    finally:
        server.shutdown()
        server.server_close()
        os.unlink(sock)
        import shutil

        shutil.rmtree(store, ignore_errors=True)


@pytest.mark.root
def test_plugin_volumes(vd: Any, d: Any, plugin_sock: tuple[str, Path, list[str]]) -> None:
    name, store, calls = plugin_sock
    assert [name, "fromplugin"] in [r.split() for r in _same(vd, "volume", "ls").splitlines()]
    assert vd.docker("volume", "create", "-d", name, "madebyplugin").stdout == \
        "madebyplugin\n"
    assert (store / "madebyplugin").is_dir()
    info = json.loads(vd.berth("volume", "inspect", "madebyplugin").stdout)[0]
    assert (info["Driver"], info["Mountpoint"]) == (name, str(store / "madebyplugin"))
    _same(vd, "volume", "ls", "--filter", f"driver={name}", rows=True)
    # a container mounts it: the plugin is asked to Mount and Unmount, the data is its
    d.docker("run", "--rm", "--network", "none", "-v", "madebyplugin:/data", "busybox",
             "sh", "-c", "echo via plugin > /data/f")
    assert (store / "madebyplugin" / "f").read_text() == "via plugin\n"
    assert {"VolumeDriver.Mount madebyplugin", "VolumeDriver.Unmount madebyplugin"} <= \
        set(calls)
    vd.berth("volume", "rm", "madebyplugin", "fromplugin")
    assert not any(x in vd.docker("volume", "ls").stdout
                   for x in ("madebyplugin", "fromplugin"))


def test_data_survives_kill9(berthd: Any) -> None:
    berthd.docker("volume", "create", "--label", "k=v", "durable")
    mp = Path(json.loads(berthd.docker("volume", "inspect", "durable").stdout)[0]
              ["Mountpoint"])
    (mp / "file").write_text("still here")
    before = berthd.docker("volume", "inspect", "durable").stdout
    berthd.kill9_and_restart()
    assert berthd.docker("volume", "inspect", "durable").stdout == before
    assert (mp / "file").read_text() == "still here"
    assert berthd.docker("volume", "ls", "-q").stdout == "durable\n"
