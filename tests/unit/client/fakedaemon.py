"""A fake Engine API server on a unix socket, for client and CLI tests.

It answers the image/system endpoints with canned, deterministic data (fixed creation
times relative to "now" are computed by the tests) and records every request, so tests
can run both ``berth`` and the real ``docker -H unix://…`` against the same answers.
"""

from __future__ import annotations

import json
import os
import re
import socketserver
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler
from typing import Any

NOW = int(time.time())
IMG_A = "sha256:" + "a1" * 32
IMG_B = "sha256:" + "b2" * 32
IMG_C = "sha256:" + "c3" * 32
DIGEST_A = "sha256:" + "d4" * 32


def default_images() -> list[dict[str, Any]]:
    """Three images: a tagged+digested one, a two-tag one, a dangling one."""
    return [
        {"Id": IMG_A, "ParentId": "", "RepoTags": ["alpine:latest"],
         "RepoDigests": [f"alpine@{DIGEST_A}"], "Created": NOW - 2 * 3600,
         "Size": 4_260_000, "SharedSize": -1, "VirtualSize": 4_260_000, "Labels": {},
         "Containers": -1},
        {"Id": IMG_B, "ParentId": "", "RepoTags": ["example.com/team/app:1.0"],
         "RepoDigests": [], "Created": NOW - 3 * 86400, "Size": 123_456_789,
         "SharedSize": -1, "Labels": {"a": "b"}, "Containers": 2},
        {"Id": IMG_C, "ParentId": IMG_A, "RepoTags": [], "RepoDigests": [],
         "Created": NOW - 400 * 86400, "Size": 999, "SharedSize": -1, "Labels": None,
         "Containers": -1},
    ]


def inspect_doc(summary: dict[str, Any]) -> dict[str, Any]:
    """An image inspect body in moby's field order."""
    return {
        "Id": summary["Id"], "RepoTags": summary["RepoTags"],
        "RepoDigests": summary["RepoDigests"], "Parent": summary.get("ParentId", ""),
        "Comment": "", "Created": "2024-05-01T10:00:00.123456789Z",
        "DockerVersion": "", "Author": "",
        "Config": {"Env": ["PATH=/usr/bin:/bin"], "Cmd": ["/bin/sh"], "WorkingDir": "",
                   "Entrypoint": None, "Labels": summary.get("Labels") or None},
        "Architecture": "amd64", "Os": "linux", "Size": summary["Size"],
        "GraphDriver": {"Data": None, "Name": "overlay2"},
        "RootFS": {"Type": "layers", "Layers": ["sha256:" + "e5" * 32]},
        "Metadata": {"LastTagTime": "0001-01-01T00:00:00Z"},
    }


HISTORY = [
    {"Id": IMG_A, "Created": NOW - 2 * 3600, "CreatedBy": "/bin/sh -c #(nop)  CMD [\"/bin/sh\"]",
     "Tags": ["alpine:latest"], "Size": 0, "Comment": ""},
    {"Id": "<missing>", "Created": NOW - 2 * 3600 - 5,
     "CreatedBy": "/bin/sh -c #(nop) ADD file:0123456789abcdef0123456789abcdef in / ",
     "Tags": None, "Size": 4_260_000, "Comment": "imported\tfrom tar"},
    {"Id": "<missing>", "Created": 0, "CreatedBy": "", "Tags": None, "Size": 1234,
     "Comment": ""},
]

VERSION = {
    "Platform": {"Name": "berth engine"},
    "Components": [{"Name": "Engine", "Version": "0.1.0", "Details": {
        "ApiVersion": "1.44", "Arch": "amd64", "BuildTime": "2024-05-01T10:00:00.000000000+00:00",
        "Experimental": "false", "GitCommit": "abc1234", "GoVersion": "python3.11.2",
        "KernelVersion": "6.1.0", "MinAPIVersion": "1.24", "Os": "linux"}},
        {"Name": "runc", "Version": "1.1.5", "Details": {"GitCommit": "v1.1.5-0-gf19387a"}}],
    "Version": "0.1.0", "ApiVersion": "1.44", "MinAPIVersion": "1.24", "GitCommit": "abc1234",
    "GoVersion": "python3.11.2", "Os": "linux", "Arch": "amd64", "KernelVersion": "6.1.0",
    "BuildTime": "2024-05-01T10:00:00.000000000+00:00",
}

INFO = {
    "ID": "f00d", "Containers": 3, "ContainersRunning": 1, "ContainersPaused": 0,
    "ContainersStopped": 2, "Images": 3, "Driver": "overlay2",
    "DriverStatus": [["Backing Filesystem", "extfs"], ["Supports d_type", "true"]],
    "Plugins": {"Volume": ["local"], "Network": ["bridge", "host", "null"],
                "Authorization": None, "Log": ["json-file", "local"]},
    "MemoryLimit": True, "SwapLimit": True, "CpuCfsPeriod": True, "CpuCfsQuota": True,
    "CPUShares": True, "CPUSet": True, "PidsLimit": True, "IPv4Forwarding": True,
    "Debug": False, "NFd": 20, "OomKillDisable": False, "NGoroutines": 30,
    "SystemTime": "2024-05-01T10:00:00.000000000Z", "LoggingDriver": "json-file",
    "CgroupDriver": "cgroupfs", "CgroupVersion": "2", "NEventsListener": 0,
    "KernelVersion": "6.1.0", "OperatingSystem": "Debian GNU/Linux 12 (bookworm)",
    "OSVersion": "12", "OSType": "linux", "Architecture": "x86_64",
    "IndexServerAddress": "https://index.docker.io/v1/",
    "RegistryConfig": {"InsecureRegistryCIDRs": ["::1/128", "127.0.0.0/8"],
                       "IndexConfigs": {}, "Mirrors": []},
    "NCPU": 2, "MemTotal": 4_124_000_000, "GenericResources": None,
    "DockerRootDir": "/var/lib/berth", "HttpProxy": "", "HttpsProxy": "", "NoProxy": "",
    "Name": "testhost", "Labels": [], "ExperimentalBuild": False, "ServerVersion": "0.1.0",
    # One runtime only: docker prints this map in Go's random map order.
    "Runtimes": {"berth-runtime": {"path": "berth-runtime"}},
    "DefaultRuntime": "berth-runtime",
    "Swarm": {"NodeID": "", "NodeAddr": "", "LocalNodeState": "inactive",
              "ControlAvailable": False, "Error": "", "RemoteManagers": None},
    "LiveRestoreEnabled": False, "Isolation": "", "InitBinary": "tini",
    "ContainerdCommit": {"ID": ""}, "RuncCommit": {"ID": ""}, "InitCommit": {"ID": ""},
    "SecurityOptions": ["name=seccomp,profile=builtin", "name=cgroupns"],
    "Warnings": None,
}


def system_df(images: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "LayersSize": 127_717_788, "Images": images,
        "Containers": [{"Id": "f" * 64, "Names": ["/web"], "Image": "alpine",
                        "ImageID": IMG_A, "Command": "sh", "Created": NOW - 60,
                        "State": "running", "Status": "Up 1 minute", "SizeRw": 1200,
                        "SizeRootFs": 4_261_200, "Labels": {}, "Mounts": []}],
        "Volumes": [{"Name": "v1", "Driver": "local", "Mountpoint": "/x", "Labels": None,
                     "Scope": "local", "Options": None,
                     "UsageData": {"Size": 2048, "RefCount": 1}, "CreatedAt": ""}],
        "BuildCache": [],
    }


def containers_list(q: dict[str, list[str]]) -> list[dict[str, Any]]:
    """Canned ``GET /containers/json``: a running one (with ports) and an exited one."""
    running = {"Id": "f" * 64, "Names": ["/web"], "Image": "nginx:latest",
               "ImageID": IMG_B, "Command": "/entrypoint.sh nginx -g 'daemon off;'",
               "Created": NOW - 3600, "Ports": [
                   {"IP": "0.0.0.0", "PrivatePort": 80, "PublicPort": 8080, "Type": "tcp"},
                   {"PrivatePort": 53, "Type": "udp"}],
               "Labels": {"a": "b"}, "State": "running", "Status": "Up About an hour",
               "HostConfig": {"NetworkMode": "default"}, "Mounts": [],
               "NetworkSettings": {"Networks": {"bridge": {}}}}
    exited = {"Id": "e" * 64, "Names": ["/old"], "Image": IMG_A, "ImageID": IMG_A,
              "Command": "echo hi", "Created": NOW - 3 * 86400, "Ports": [], "Labels": {},
              "State": "exited", "Status": "Exited (0) 2 days ago",
              "HostConfig": {"NetworkMode": "none"}, "Mounts": [],
              "NetworkSettings": {"Networks": {"none": {}}}}
    if q.get("size") == ["1"]:
        running.update(SizeRw=12345, SizeRootFs=187_000_000)
        exited.update(SizeRw=0, SizeRootFs=4_260_000)
    if q.get("all") == ["1"] or q.get("limit"):
        return [running, exited][: int(q["limit"][0])] if q.get("limit") else [running, exited]
    return [running]


class State:
    """Mutable daemon state plus a request log."""

    def __init__(self, api_version: str = "1.44") -> None:
        self.api_version = api_version
        self.images = default_images()
        self.requests: list[dict[str, Any]] = []
        self.bodies: list[bytes] = []
        self.saved = b"fake-tar-stream" * 1000

    def find(self, name: str) -> dict[str, Any] | None:
        if name.startswith("sha256:"):
            name = name[7:]
        for img in self.images:
            hexid = img["Id"][7:]
            refs = img["RepoTags"] + [_short(t) for t in img["RepoTags"]]
            if name in refs or (len(name) >= 4 and hexid.startswith(name)) or \
                    (":" not in name and f"{name}:latest" in refs):
                return img
        return None


def _short(ref: str) -> str:
    return ref.removeprefix("docker.io/library/").removeprefix("docker.io/")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Server

    def log_message(self, *args: Any) -> None:
        pass

    def do_any(self) -> None:
        u = urllib.parse.urlsplit(self.path)
        body = self._body()
        st = self.server.state
        st.requests.append({"method": self.command, "path": u.path, "query": u.query,
                            "headers": dict(self.headers.items())})
        st.bodies.append(body)
        path = re.sub(r"^/v1\.\d+", "", u.path)
        q = urllib.parse.parse_qs(u.query, keep_blank_values=True)
        try:
            route(self, st, self.command, urllib.parse.unquote(path), q, body)
        except BrokenPipeError:
            pass

    do_GET = do_POST = do_DELETE = do_HEAD = do_PUT = do_any

    def _body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            out = b""
            while True:
                n = int(self.rfile.readline().strip().split(b";")[0], 16)
                if n == 0:
                    self.rfile.readline()
                    return out
                out += self.rfile.read(n)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def reply(self, code: int, obj: Any = None, ctype: str = "application/json",
              extra: dict[str, str] | None = None) -> None:
        if isinstance(obj, bytes):
            data = obj
        else:
            data = b"" if obj is None else (json.dumps(obj) + "\n").encode()
        self.send_response(code)
        self.send_header("Api-Version", self.server.state.api_version)
        self.send_header("Ostype", "linux")
        self.send_header("Server", "Berth/0.1.0 (linux)")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        if code not in (204, 304):
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD" and code not in (204, 304):
            self.wfile.write(data)

    def stream(self, chunks: list[bytes], ctype: str = "application/json") -> None:
        self.send_response(200)
        self.send_header("Api-Version", self.server.state.api_version)
        self.send_header("Content-Type", ctype)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for c in chunks:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(c), c))
        self.wfile.write(b"0\r\n\r\n")


def _no_such(h: Handler, name: str) -> None:
    h.reply(404, {"message": f"No such image: {name}"})


def route(h: Handler, st: State, m: str, p: str, q: dict[str, list[str]], body: bytes) -> None:
    """Dispatch one request; unknown routes answer 404 like moby's router."""
    if p == "/_ping":
        return h.reply(200, b"OK", "text/plain; charset=utf-8", {"Builder-Version": "1",
                                                                 "Swarm": "inactive"})
    if p == "/version":
        return h.reply(200, {**VERSION, "ApiVersion": st.api_version})
    if p == "/info":
        return h.reply(200, INFO)
    if p == "/system/df":
        return h.reply(200, system_df(st.images))
    if p == "/images/json":
        return _list(h, st, q)
    if p == "/containers/json":
        return h.reply(200, containers_list(q))
    if p == "/images/prune" and m == "POST":
        return _prune(h, st, q)
    if p == "/images/get":
        return h.stream([st.saved], "application/x-tar")
    if p == "/images/load" and m == "POST":
        if not body.startswith(b"fake-tar"):
            return h.stream([b'{"errorDetail":{"message":"unexpected EOF"},'
                             b'"error":"unexpected EOF"}\r\n'])
        return h.stream([b'{"stream":"Loaded image: alpine:latest\\n"}\r\n'])
    if p == "/images/create" and m == "POST":
        return h.stream([b'{"status":"' + IMG_B.encode() + b'"}\r\n'])
    mm = re.match(r"^/images/(.+?)(/json|/history|/tag)?$", p)
    if mm:
        return _image_route(h, st, m, mm.group(1), mm.group(2) or "", q)
    h.reply(404, {"message": "page not found"})


def _list(h: Handler, st: State, q: dict[str, list[str]]) -> None:
    imgs = st.images if q.get("all") == ["1"] else [i for i in st.images if not i["ParentId"]
                                                     or i["RepoTags"]]
    flt = json.loads(q["filters"][0]) if "filters" in q else {}
    if "dangling" in flt:
        want = "true" in flt["dangling"]
        imgs = [i for i in imgs if (not i["RepoTags"]) == want]
    if "reference" in flt:
        pats = list(flt["reference"])
        imgs = [i for i in imgs if any(re.fullmatch(p.replace("*", ".*") + "(:.*)?", t)
                                       for p in pats for t in i["RepoTags"])]
    h.reply(200, imgs)


def _prune(h: Handler, st: State, q: dict[str, list[str]]) -> None:
    flt = json.loads(q.get("filters", ["{}"])[0])
    dangling_only = "true" in flt.get("dangling", {"true": True})
    gone = [i for i in st.images if not i["RepoTags"] or not dangling_only]
    st.images = [i for i in st.images if i not in gone]
    h.reply(200, {"ImagesDeleted": [{"Deleted": i["Id"]} for i in gone] or None,
                  "SpaceReclaimed": sum(i["Size"] for i in gone)})


def _image_route(h: Handler, st: State, m: str, name: str, sub: str,
                 q: dict[str, list[str]]) -> None:
    img = st.find(name)
    if img is None:
        return _no_such(h, name)
    if sub == "/json":
        return h.reply(200, inspect_doc(img))
    if sub == "/history":
        return h.reply(200, HISTORY)
    if sub == "/tag" and m == "POST":
        repo, tag = q["repo"][0], q.get("tag", ["latest"])[0]
        img["RepoTags"].append(_short(f"{repo}:{tag}"))
        return h.reply(201, b"", "text/plain")
    if m == "DELETE":
        return _delete(h, st, img, name, q)
    h.reply(404, {"message": "page not found"})


def _delete(h: Handler, st: State, img: dict[str, Any], name: str,
            q: dict[str, list[str]]) -> None:
    if img["Containers"] > 0 and q.get("force") != ["1"]:
        return h.reply(409, {"message": f"conflict: unable to remove repository reference "
                                        f'"{name}" (must force) - container 0123456789ab is '
                                        f"using its referenced image {img['Id'][7:19]}"})
    out: list[dict[str, str]] = [{"Untagged": t} for t in img["RepoTags"]]
    out += [{"Untagged": d} for d in img["RepoDigests"]]
    out.append({"Deleted": img["Id"]})
    st.images.remove(img)
    h.reply(200, out)


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    state: State

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that hang up early are not the test's concern


def start(sock_path: str, api_version: str = "1.44") -> tuple[Server, State]:
    """Start serving on ``sock_path`` in a thread; call ``server.shutdown()`` to stop."""
    if os.path.exists(sock_path):
        os.unlink(sock_path)
    srv = Server(sock_path, Handler)
    srv.state = State(api_version)
    threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05},
                     daemon=True).start()
    return srv, srv.state


if __name__ == "__main__":  # manual use: python fakedaemon.py SOCKET
    import sys

    start(sys.argv[1])
    threading.Event().wait()
