"""berth vs the real docker CLI against the same canned daemon: same bytes out.

Each case starts a fresh fake daemon for each CLI (some commands change its state),
runs ``docker -H unix://…`` and ``berth -H unix://…`` and compares stdout, stderr and
the exit status, with docker's self-references ("docker") read as "berth".
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import fakedaemon
import pytest

DOCKER = shutil.which("docker")
pytestmark = pytest.mark.skipif(DOCKER is None, reason="the docker CLI is not installed")


def _run(argv: list[str], tmp: Path, name: str, stdin: bytes | None,
         args: list[str]) -> tuple[str, str, int]:
    sock = tmp / f"{name}.sock"
    srv, _ = fakedaemon.start(str(sock))
    env = {k: v for k, v in os.environ.items() if k not in ("DOCKER_HOST", "BERTH_HOST")}
    env["DOCKER_CONFIG"] = str(tmp / "dockercfg")
    env["TZ"] = "UTC"
    try:
        proc = subprocess.run([*argv, "-H", f"unix://{sock}", *args], input=stdin, env=env,
                              capture_output=True, timeout=30, cwd=tmp)
    finally:
        srv.shutdown()
        srv.server_close()
    return proc.stdout.decode(), proc.stderr.decode(), proc.returncode


def compare(tmp: Path, args: list[str], stdin: bytes | None = None,
            fix: Callable[[str], str] = lambda s: s) -> tuple[str, str, int]:
    """Run both CLIs; assert identical output; return berth's result.

    ``fix`` adjusts docker's stdout where berth differs on purpose (its own version).
    """
    assert DOCKER is not None
    want_out, want_err, want_rc = _run([DOCKER], tmp, "d", stdin, args)
    want_out, want_err = (s.replace("docker", "berth") for s in (fix(want_out), want_err))
    got = _run([sys.executable, "-m", "berth.cli.main"], tmp, "b", stdin, args)
    assert got == (want_out, want_err, want_rc)
    return got


CASES = [
    ["images"], ["images", "-a"], ["images", "--digests"], ["images", "-a", "--no-trunc"],
    ["images", "-q"], ["images", "-aq"], ["images", "--format", "json"],
    ["images", "--format", "table {{.Repository}}\t{{.ID}}\t{{.Size}}"],
    ["images", "--format", "table {{upper .Repository}}\\t{{.Containers}}"],
    ["images", "--format", "{{.Repository}}:{{.Tag}} {{.CreatedAt}}"],
    ["images", "--format", "table"], ["images", "--format", "{{json .ID}}"],
    ["images", "-f", "dangling=true"], ["images", "alpine"], ["image", "ls", "-a"],
    ["images", "--format", "{{.ID"], ["images", "--format", "{{.Foo}}"],
    ["history", "alpine"], ["history", "--no-trunc", "alpine"], ["history", "-q", "alpine"],
    ["history", "-H=false", "alpine"], ["history", "--format", "json", "alpine"],
    ["image", "history", "--format", "table {{.ID}}\t{{.CreatedBy}}", "alpine"],
    ["system", "df"], ["system", "df", "-v"], ["system", "df", "--format", "json"],
    ["image", "inspect", "alpine"], ["image", "inspect", "alpine", "example.com/team/app:1.0"],
    ["image", "inspect", "--format", "{{.Id}} {{.Config.Cmd}} {{json .RootFS}}", "alpine"],
    ["image", "inspect", "-f", "json", "alpine"], ["image", "inspect", "nope"],
    ["image", "inspect", "--format", "{{.ID", "alpine"],
    ["image", "inspect", "--format", "{{.Nope}}", "alpine"],
    ["image", "inspect", "nope", "alpine"],
    ["ps"], ["ps", "-a"], ["ps", "-aq"], ["ps", "-a", "--no-trunc"], ["ps", "-n", "1"],
    ["ps", "-l"], ["ps", "-as"], ["ps", "--format", "json"], ["container", "ls", "-a"],
    ["ps", "--format", "table {{.Names}}\t{{.Ports}}\t{{.State}}"],
    ["ps", "-a", "--format", "{{.ID}} {{.Command}} {{.Labels}} {{.Networks}}"],
    ["ps", "-f", "bad"], ["ps", "extra"],
]


@pytest.mark.parametrize("args", CASES, ids=[" ".join(c) for c in CASES])
def test_read_commands_match_docker(tmp_path: Path, args: list[str]) -> None:
    compare(tmp_path, args)


MUTATING = [
    ["rmi", "alpine"], ["rmi", "nope", "alpine:latest"], ["rmi", "nope1", "nope2"],
    ["rmi", "-f", "nope", "alpine"], ["rmi", "example.com/team/app:1.0"],
    ["image", "rm", "-f", "example.com/team/app:1.0"],
    ["tag", "alpine", "foo:1"], ["tag", "nope", "x"], ["tag", "alpine", "UPPER"],
    ["tag", "alpine", "x@sha256:" + "d4" * 32], ["image", "prune", "-f"],
    ["image", "prune", "-a", "-f"],
]


@pytest.mark.parametrize("args", MUTATING, ids=[" ".join(c) for c in MUTATING])
def test_mutating_commands_match_docker(tmp_path: Path, args: list[str]) -> None:
    compare(tmp_path, args)


USAGE = [
    ["tag", "a"], ["rmi"], ["history"], ["load", "x"],
    ["images", "--foo"], ["images", "-f", "bad"], ["foo"], ["image", "foo"],
    ["save", "-o", "/nonexistent/dir/x.tar", "alpine"], ["load", "-i", "/nonexistent"],
    ["import", "/nonexistent"],
]


@pytest.mark.parametrize("args", USAGE, ids=[" ".join(c) for c in USAGE])
def test_usage_errors_match_docker(tmp_path: Path, args: list[str]) -> None:
    _, _, rc = compare(tmp_path, args)
    assert rc != 0


def test_prompted_prune_answers(tmp_path: Path) -> None:
    compare(tmp_path, ["image", "prune"], stdin=b"y\n")
    compare(tmp_path, ["image", "prune", "-a"], stdin=b"n\n")


def test_load_import_save_match_docker(tmp_path: Path) -> None:
    good = tmp_path / "ok.tar"
    good.write_bytes(b"fake-tar")
    (tmp_path / "bad.tar").write_bytes(b"junk")
    out, _, _ = compare(tmp_path, ["load", "-i", str(good)])
    assert out == "Loaded image: alpine:latest\n"
    compare(tmp_path, ["load", "-i", str(tmp_path / "bad.tar")])
    compare(tmp_path, ["load"], stdin=b"fake-tar")
    out, _, _ = compare(tmp_path, ["import", "-c", "CMD x", "-m", "hi", str(good), "foo:imp"])
    assert out == fakedaemon.IMG_B + "\n"
    compare(tmp_path, ["import", "-", "foo"], stdin=b"data")
    compare(tmp_path, ["import", str(good), "BAD:x"])
    out, _, _ = compare(tmp_path, ["save", "alpine"])
    assert out.encode() == fakedaemon.State().saved


def test_info_matches_docker_except_client_version(tmp_path: Path) -> None:
    from berth import __version__

    compare(tmp_path, ["info"], fix=lambda s: s.replace(
        " Version:    28.2.2\n", f" Version:    {__version__}\n", 1))


def test_version_server_section_matches_docker(tmp_path: Path) -> None:
    assert DOCKER is not None
    want, _, _ = _run([DOCKER], tmp_path, "d", None, ["version"])
    got, err, rc = _run([sys.executable, "-m", "berth.cli.main"], tmp_path, "b", None,
                        ["version"])
    assert rc == 0 and err == ""
    assert got.partition("\nServer:")[2] == want.partition("\nServer:")[2]
    assert got.startswith("Client:\n Version:  ") and " API version:       1.44\n" in got


def test_too_many_args_wording(tmp_path: Path) -> None:
    # docker 28 prints "SRun" here (a typo in cobra's wrapper); berth keeps "Run".
    out, err, rc = _run([sys.executable, "-m", "berth.cli.main"], tmp_path, "b", None,
                        ["images", "a", "b"])
    assert (out, rc) == ("", 1)
    assert err == ("berth: 'berth images' requires at most 1 argument\n\n"
                   "Usage:  berth images [OPTIONS] [REPOSITORY[:TAG]]\n\n"
                   "Run 'berth images --help' for more information\n")
