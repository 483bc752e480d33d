"""The create body berth sends equals the docker CLI's, byte for byte, for the same flags.

Both CLIs run ``create --pull never`` against a fresh fake daemon (which answers 404, so
nothing else happens) and the recorded ``POST /containers/create`` requests are compared.
"""

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


def _create(argv: list[str], tmp: Path, tag: str, args: list[str]) -> list[tuple[str, bytes]]:
    sock = tmp / f"{tag}.sock"
    srv, st = fakedaemon.start(str(sock))
    env = {k: v for k, v in os.environ.items() if k not in ("DOCKER_HOST", "BERTH_HOST")}
    env.update(DOCKER_CONFIG=str(tmp / "cfg"), ZZ_SET="zz")
    try:
        subprocess.run([*argv, "-H", f"unix://{sock}", "create", "--pull", "never", *args],
                       env=env, capture_output=True, timeout=30, cwd=tmp, stdin=subprocess.DEVNULL)
    finally:
        srv.shutdown()
        srv.server_close()
    return [(r["path"] + "?" + r["query"], b) for r, b in zip(st.requests, st.bodies, strict=True)
            if r["path"].endswith("/containers/create")]


CASES = [
    ["alpine"],
    ["alpine", "echo", "hi"],
    ["-it", "--rm", "--name", "web", "alpine", "sh"],
    ["-e", "A=1", "-e", "ZZ_SET", "-e", "UNSET_X", "--env-file", "env.list", "-l", "a=b",
     "--label-file", "lab.list", "-w", "/w", "-u", "1000:1000", "--entrypoint", "/bin/sh",
     "alpine", "-c", "a > b && c"],
    ["--network", "none", "--hostname", "h", "--domainname", "d.example", "--init",
     "--read-only", "--tmpfs", "/run:size=64m", "--tmpfs", "/t", "-v", "/tmp:/data:ro",
     "-v", "/vol", "alpine"],
    ["--network", "host", "--ulimit", "nofile=1024:2048", "--ulimit", "nproc=10", "-m", "100m",
     "--memory-swap", "200m", "--memory-reservation", "50m", "--cpus", "1.5",
     "--cpu-shares", "512", "--cpu-period", "100000", "--cpu-quota", "50000",
     "--cpuset-cpus", "0", "--pids-limit", "100", "--blkio-weight", "300", "alpine"],
    ["--cap-add", "NET_ADMIN", "--cap-drop", "ALL", "--privileged", "--device",
     "/dev/null:/dev/xnull:rw", "--device", "/dev/fuse", "--shm-size", "128m",
     "--sysctl", "net.ipv4.ip_forward=1", "--security-opt", "seccomp=sec.json",
     "--security-opt", "no-new-privileges", "--restart", "on-failure:3", "alpine"],
    ["--stop-signal", "SIGUSR1", "--stop-timeout", "7", "--health-cmd", "true",
     "--health-interval", "5s", "--health-timeout", "1m30s", "--health-retries", "4",
     "--health-start-period", "1s", "--health-start-interval", "500ms", "alpine"],
    ["--log-driver", "json-file", "--log-opt", "max-size=1m", "--platform", "linux/amd64",
     "--oom-kill-disable", "--oom-score-adj", "100", "--group-add", "audio", "--add-host",
     "h1:1.2.3.4", "--dns", "8.8.8.8", "--dns-search", "ex.com", "--dns-option", "ndots:2",
     "alpine"],
    ["-p", "8080:80", "-p", "53/udp", "-p", "127.0.0.1:9000-9001:90-91", "-P", "--expose",
     "7000", "alpine"],
    ["--no-healthcheck", "-a", "stdout", "--cpus", "0.5", "--memory-swap", "-1",
     "--entrypoint", "", "--security-opt", "seccomp=unconfined", "alpine"],
    ["-i", "alpine", "cat"], ["-a", "stdin", "-a", "stderr", "alpine"],
]


@pytest.mark.parametrize("args", CASES, ids=[" ".join(c)[:60] for c in CASES])
def test_create_body_matches_docker(tmp_path: Path, args: list[str]) -> None:
    (tmp_path / "env.list").write_text("X=1\n# comment\n\nZZ_SET\nNOPE_UNSET\n")
    (tmp_path / "lab.list").write_text("lf=1\n")
    (tmp_path / "sec.json").write_text('{\n  "defaultAction": "SCMP_ACT_ALLOW"\n}\n')
    assert DOCKER is not None
    want = _create([DOCKER], tmp_path, "d", args)
    got = _create([sys.executable, "-m", "berth.cli.main"], tmp_path, "b", args)
    assert want, "docker sent no create request"
    assert [q for q, _ in got] == [q for q, _ in want]
    for (_, g), (_, w) in zip(got, want, strict=True):
        assert _env_sorted(g) == _env_sorted(w)


def _env_sorted(body: bytes) -> list[str]:
    """The body's JSON pieces with Env sorted: docker 28 orders -e/--env-file entries by a Go
    map walk when some are unset, so their order differs from run to run."""
    doc = json.loads(body)
    if doc.get("Env"):
        doc["Env"] = sorted(doc["Env"])
    return json.dumps(doc, separators=(",", ":")).split(",")
