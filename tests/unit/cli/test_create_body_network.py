"""Network and port flags of ``create``: berth's body equals docker CLI 28's byte for byte.

Same method as test_create_body.py (both CLIs against the fake daemon, the recorded
create requests compared), for ``--network`` (repeated, advanced form), ``--ip``,
``--ip6``, ``--network-alias``, ``--link``, ``--link-local-ip``, ``--mac-address``, ports,
DNS and extra hosts; and the client-side refusals (same stderr and status).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import fakedaemon
import pytest

DOCKER = shutil.which("docker")
pytestmark = pytest.mark.skipif(DOCKER is None, reason="the docker CLI is not installed")


def _create(argv: list[str], tmp: Path, tag: str, args: list[str]
            ) -> tuple[list[bytes], str, int]:
    sock = tmp / f"{tag}.sock"
    srv, st = fakedaemon.start(str(sock))
    env = {k: v for k, v in os.environ.items() if k not in ("DOCKER_HOST", "BERTH_HOST")}
    env.update(DOCKER_CONFIG=str(tmp / "cfg"))
    try:
        proc = subprocess.run([*argv, "-H", f"unix://{sock}", "create", "--pull", "never",
                               *args], env=env, capture_output=True, timeout=30, cwd=tmp,
                              stdin=subprocess.DEVNULL)
    finally:
        srv.shutdown()
        srv.server_close()
    bodies = [b for r, b in zip(st.requests, st.bodies, strict=True)
              if r["path"].endswith("/containers/create")]
    return bodies, proc.stderr.decode().replace("docker", "berth"), proc.returncode


CASES = [
    ["--network", "n1", "--ip", "10.0.0.5", "--ip6", "fd::5", "--network-alias", "a",
     "--link", "x:y", "--mac-address", "02:42:ac:11:00:02", "--link-local-ip",
     "169.254.1.1", "alpine"],
    ["--network", "n1", "--network", "n2", "alpine"],
    ["--network", "n1", "--network-alias", "a", "--net", "n2", "alpine"],
    ["--network", "name=n1,alias=x,ip=10.0.0.7,driver-opt=a=b", "alpine"],
    ["--link", "x", "alpine"], ["--ip", "10.0.0.5", "alpine"],
    ["--network", "bridge", "--mac-address", "02:42:ac:11:00:09", "alpine"],
    ["--network", "container:abc", "alpine"],
    ["-p", "8080:80", "-p", "127.0.0.1::53/udp", "-p", "9000-9001:90-91", "-P",
     "--expose", "7000-7001", "--dns", "1.1.1.1", "--dns-search", "example.com",
     "--dns-option", "ndots:2", "--add-host", "h:1.2.3.4", "--add-host", "g:host-gateway",
     "alpine"],
    ["--mac-address", "zz", "alpine"],
    ["--network", "host", "--network-alias", "a", "alpine"],
]


@pytest.mark.parametrize("args", CASES, ids=" ".join)
def test_network_flags_body_matches_docker(tmp_path: Path, args: list[str]) -> None:
    assert DOCKER is not None
    want = _create([DOCKER], tmp_path, "d", args)
    got = _create([sys.executable, "-m", "berth.cli.main"], tmp_path, "b", args)
    assert got[0] == want[0]
    assert (got[1], got[2]) == (want[1], want[2])
