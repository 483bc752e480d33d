"""-v, --mount, --volumes-from, --tmpfs, --volume-driver: berth's create body and errors
equal the docker CLI's for the same flags (both sent to a fake daemon)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import fakedaemon
import pytest

DOCKER = shutil.which("docker")
pytestmark = pytest.mark.skipif(DOCKER is None, reason="the docker CLI is not installed")


def _run(argv: list[str], tmp: Path, tag: str, args: list[str]) -> tuple[list[bytes], str]:
    sock = tmp / f"{tag}.sock"
    srv, st = fakedaemon.start(str(sock))
    env = {k: v for k, v in os.environ.items() if k not in ("DOCKER_HOST", "BERTH_HOST")}
    env["DOCKER_CONFIG"] = str(tmp / "cfg")
    try:
        p = subprocess.run([*argv, "-H", f"unix://{sock}", "create", "--pull", "never", *args],
                           env=env, capture_output=True, text=True, timeout=30, cwd=tmp,
                           stdin=subprocess.DEVNULL)
    finally:
        srv.shutdown()
        srv.server_close()
    bodies = [b for r, b in zip(st.requests, st.bodies, strict=True)
              if r["path"].endswith("/containers/create")]
    return bodies, p.stderr.splitlines()[0] if p.stderr else ""


BODIES = [
    ["-v", "./sub:/x", "-v", "vol:/y:ro,nocopy", "-v", "/anon", "--volume-driver", "drv",
     "--volumes-from", "c1:ro", "--volumes-from", "c2", "--tmpfs", "/t:size=1m,mode=700",
     "alpine"],
    ["--mount", "type=bind,src=/tmp,dst=/x,readonly,bind-recursive=writable",
     "--mount", "Type=BIND,Source=./rel,Target=/y,RO=true,bind-propagation=RSHARED",
     "--mount", "type=bind,src=/tmp,dst=/z,ro,bind-recursive=readonly,"
                "bind-propagation=rprivate", "alpine"],
    ["--mount", "src=v1,dst=/x,volume-nocopy,volume-subpath=a/b,volume-opt=type=tmpfs,"
                "volume-opt=o=size=1m,volume-label=b=2,volume-label=a,volume-driver=local",
     "--mount", "type=volume,dst=/y,volume-nocopy=true", "--mount",
     "type=volume,destination=/c,consistency=cached", "alpine"],
    ["--mount", "type=tmpfs,dst=/t,tmpfs-size=1.5k,tmpfs-mode=1770", "--mount",
     "type=tmpfs,target=/u,tmpfs-size=2m,readonly=false", "--mount",
     "type=bind,src=/tmp,dst=/n,bind-nonrecursive", "alpine"],
]
ERRORS = [
    ["--mount", "type=bind,src=/tmp,dst=/x,readonly,bind-recursive=readonly", "alpine"],
    ["--mount", "type=bind,src=/tmp,dst=/x,bind-recursive=writable", "alpine"],
    ["--mount", "type=bind,src=/tmp,dst=/x,bind-recursive=foo", "alpine"],
    ["--mount", "type=tmpfs,dst=/t,tmpfs-size=1x", "alpine"],
    ["--mount", "type=tmpfs,dst=/t,tmpfs-mode=9", "alpine"],
    ["--mount", "type=tmpfs,dst=/t,volume-nocopy", "alpine"],
    ["--mount", "type=volume,dst=/t,bind-propagation=shared", "alpine"],
    ["--mount", "type=volume,src=v", "alpine"],
    ["--mount", "dst=/x,type=", "alpine"],
    ["--mount", "type=volume,target=/x,foo=bar", "alpine"],
    ["--mount", "type=volume,target=/x,foo", "alpine"],
    ["--mount", "type=volume,target=/x,readonly=maybe", "alpine"],
]


@pytest.mark.parametrize("args", BODIES, ids=[" ".join(a)[:50] for a in BODIES])
def test_mount_flags_body(tmp_path: Path, args: list[str]) -> None:
    assert DOCKER is not None
    want, _ = _run([DOCKER], tmp_path, "d", args)
    got, err = _run([sys.executable, "-m", "berth.cli.main"], tmp_path, "b", args)
    assert want and [_binds_sorted(b) for b in got] == [_binds_sorted(b) for b in want], err


def _binds_sorted(body: bytes) -> dict[str, object]:
    """The docker CLI collects ``-v`` binds through a Go map: their order is random."""
    doc = json.loads(body)
    hc = doc.get("HostConfig") or {}
    if hc.get("Binds"):
        hc["Binds"] = sorted(hc["Binds"])
    return dict(doc)


@pytest.mark.parametrize("args", ERRORS, ids=[" ".join(a)[:50] for a in ERRORS])
def test_mount_flag_errors(tmp_path: Path, args: list[str]) -> None:
    assert DOCKER is not None
    _, want = _run([DOCKER], tmp_path, "d", args)
    got_bodies, got = _run([sys.executable, "-m", "berth.cli.main"], tmp_path, "b", args)
    assert not got_bodies and want.startswith("invalid argument")
    assert got == want
