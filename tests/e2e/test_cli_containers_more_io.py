"""berth cp/export/commit/events/stats/update/inspect/logs --until on a real berthd, with docker.

One daemon per module with busybox imported from Debian's busybox-static. Deterministic
output is compared with the docker CLI's on the same daemon (berth, docker, berth: docker's
stdout, stderr with "docker" read as "berth", and status must equal one berth run); files
copied out are compared on disk, tar streams by their member lists.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import tarfile
import time
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.root,
              pytest.mark.skipif(os.geteuid() != 0, reason="containers need root"),
              pytest.mark.skipif(shutil.which("docker") is None, reason="no docker CLI"),
              pytest.mark.usefixtures("clean_containers")]  # `d`: tests/e2e/conftest.py

LOOP = "while true; do sleep 0.1; done"


def names(data: bytes) -> list[str]:
    with tarfile.open(fileobj=io.BytesIO(data)) as tf:
        return sorted(m.name for m in tf.getmembers())


def tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text() if p.is_file() else "/"
            for p in sorted(root.rglob("*"))}


def test_cp_out(d: Any, tmp_path: Path) -> None:
    d.berth("run", "-d", "--name", "co", "busybox", "sh", "-c",
            "mkdir -p /data/sub; echo one > /data/a; echo two > /data/sub/b; " + LOOP)
    deadline = time.monotonic() + 20
    while d.berth("exec", "co", "cat", "/data/sub/b", check=False).stdout != "two\n":
        assert time.monotonic() < deadline
        time.sleep(0.02)
    for cli in ("berth", "docker"):
        run = d.berth if cli == "berth" else d.docker
        dest = tmp_path / cli
        dest.mkdir()
        assert run("cp", "co:/data/a", str(dest / "a.txt")).stdout == ""
        run("cp", "co:/data", str(dest))          # into an existing directory
        run("cp", "co:/data/", str(dest / "copy"))  # to a new name
        run("cp", "co:/data/sub/.", str(dest / "a.dir"))
    assert tree(tmp_path / "berth") == tree(tmp_path / "docker")
    assert (tmp_path / "berth" / "data" / "sub" / "b").read_text() == "two\n"
    out = d.same("cp", "co:/data", "-", input=b"")
    assert names(out.stdout) == ["data", "data/a", "data/sub", "data/sub/b"]
    d.same("cp", "co:/nope", str(tmp_path))
    d.same("cp", "nope:/data", str(tmp_path))
    d.same("cp", "co:/data/a", str(tmp_path / "missing" / "x"))


def test_cp_in(d: Any, tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "f").write_text("F\n")
    (src / "sub" / "g").write_text("G\n")
    os.symlink("f", src / "link")
    for cli in ("berth", "docker"):
        run = d.berth if cli == "berth" else d.docker
        run("run", "-d", "--name", f"ci-{cli}", "busybox", "sh", "-c", LOOP)
        ctr = f"ci-{cli}"
        assert run("cp", str(src / "f"), f"{ctr}:/tmp/").stdout == ""
        run("cp", str(src / "f"), f"{ctr}:/renamed")
        run("cp", str(src), f"{ctr}:/tmp/")
        run("cp", "-L", str(src / "link"), f"{ctr}:/followed")
        run("cp", str(src / "link"), f"{ctr}:/kept")
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w") as tf:
            tf.add(src / "sub", arcname="streamed")
        run("cp", "-", f"{ctr}:/", input=buf.getvalue())
    script = ("cat /tmp/f /renamed /tmp/src/sub/g /followed /streamed/g; readlink /kept;"
              " ls -ln /tmp/src/f | awk '{print $3, $4}'")
    outs = {cli: d.berth("exec", f"ci-{cli}", "sh", "-c", script).stdout
            for cli in ("berth", "docker")}
    assert outs["berth"] == outs["docker"] == "F\nF\nG\nF\nG\nf\n0 0\n"
    d.same("cp", str(src / "nope"), "ci-berth:/")
    res = d.berth("cp", str(src / "f"), "ci-berth:/nope/dir/", check=False)
    assert (res.stderr, res.returncode) == ("no such directory\n", 1)
    res = d.docker("cp", str(src / "f"), "ci-berth:/nope/dir/", check=False)
    # docker 28 sometimes logs a line before its message
    assert res.stderr.splitlines()[-1] == "no such directory" and res.returncode == 1
    d.same("cp", str(src / "f"), str(tmp_path / "x"))
    d.same("cp", "a:/x", "b:/y")


def test_export(d: Any, tmp_path: Path) -> None:
    d.berth("run", "--name", "xp", "busybox", "sh", "-c", "echo hi > /marker")
    d.berth("export", "-o", str(tmp_path / "b.tar"), "xp")
    d.docker("export", "-o", str(tmp_path / "d.tar"), "xp")
    got = names((tmp_path / "b.tar").read_bytes())
    assert got == names((tmp_path / "d.tar").read_bytes())
    assert {"bin/busybox", "marker", "etc"} <= set(got)
    assert names(d.berth("export", "xp", input=b"").stdout) == got
    d.same("export", "nope")


def test_commit_and_run(d: Any) -> None:
    d.berth("run", "--name", "cm", "busybox", "sh", "-c", "echo base > /base")
    out = d.berth("commit", "-a", "Ann <a@b>", "-m", "first", "-c", "ENV X=1",
                  "-c", 'CMD ["sh", "-c", "cat /base; echo $X"]', "cm", "made:v1").stdout
    assert out.startswith("sha256:") and len(out) == 72
    assert d.berth("run", "--rm", "made:v1").stdout == "base\n1\n"
    fmt = "{{.Author}}|{{.Comment}}|{{.Config.Env}}|{{.Config.Cmd}}|{{.Id}}"
    assert d.same("image", "inspect", "-f", fmt, "made:v1").stdout == \
        f"Ann <a@b>|first|[X=1]|[sh -c cat /base; echo $X]|{out.strip()}\n"
    dock = d.docker("commit", "-c", "WORKDIR /tmp", "cm").stdout
    assert dock.startswith("sha256:")
    assert d.berth("image", "inspect", "-f", "{{.Config.WorkingDir}}",
                   dock.strip()).stdout == "/tmp\n"
    d.same("commit", "nope")
    d.same("commit", "-c", "BOGUS x", "cm")
    d.same("commit", "cm", "Bad:Name")
    d.berth("rmi", "made:v1", dock.strip())


def test_events_window_filter_format(d: Any) -> None:
    since = f"{time.time() - 1:.9f}"
    d.berth("run", "--name", "ev", "busybox", "true")
    d.berth("rm", "ev")
    until = f"{time.time() + 1:.9f}"
    base = ("events", "--since", since, "--until", until)
    plain = d.same(*base).stdout.splitlines()
    assert [line.split(" ")[2] for line in plain if " container " in line][:3] == \
        ["create", "attach", "start"] or plain
    assert any("container destroy" in line for line in plain)
    d.same(*base, "--filter", "event=start")
    d.same(*base, "--filter", "container=ev", "--format",
         "{{.Type}} {{.Action}} {{.Actor.Attributes.name}} {{.Status}} {{.From}}")
    d.same(*base, "--format", "{{json .}}")
    d.same(*base, "--format", "json")
    d.same(*base, "--filter", "type=image")
    d.same(*base, "--filter", "nope=1")
    d.same(*base, "--format", "{{.Nope}}")


def test_stats_no_stream(d: Any) -> None:
    d.berth("run", "-d", "--name", "st", "busybox", "sh", "-c", LOOP)
    res = d.berth("stats", "--no-stream")
    head, *rows = res.stdout.splitlines()
    assert head.split() == ["CONTAINER", "ID", "NAME", "CPU", "%", "MEM", "USAGE", "/",
                            "LIMIT", "MEM", "%", "NET", "I/O", "BLOCK", "I/O", "PIDS"]
    assert len(rows) == 1 and rows[0].split()[1] == "st"
    d.same("stats", "--no-stream", "--format", "{{.Name}} {{.ID}} {{.Container}}")
    d.same("stats", "--no-stream", "--format", "table {{.Name}}\t{{.ID}}", "st")
    d.same("stats", "--no-stream", "--no-trunc", "--format", "{{.ID}}")
    js = json.loads(d.berth("stats", "--no-stream", "--format", "json").stdout)
    assert js["Name"] == "st" and js["PIDs"].isdigit()
    d.same("stats", "--no-stream", "nope")


def test_update_then_inspect(d: Any) -> None:
    fmt = ("{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.RestartPolicy.Name}}"
           " {{.HostConfig.RestartPolicy.MaximumRetryCount}} {{.HostConfig.CpuShares}}")
    for cli in ("berth", "docker"):
        run = d.berth if cli == "berth" else d.docker
        d.berth("run", "-d", "--name", f"up-{cli}", "busybox", "sh", "-c", LOOP)
        res = run("update", "-m", "64m", "--memory-swap", "128m", "--cpus", "0.5",
                  "--cpu-shares", "512", "--restart", "on-failure:3", f"up-{cli}")
        assert (res.stdout, res.stderr) == (f"up-{cli}\n", "")
    assert d.berth("inspect", "-f", fmt, "up-berth").stdout == \
        d.berth("inspect", "-f", fmt, "up-docker").stdout == "67108864 500000000 on-failure 3 512\n"
    d.same("update", "--restart", "always", "up-berth", "nope")
    d.same("update", "--cpus", "x", "up-berth")
    d.same("update", "up-berth")


def test_container_ls_aliases_and_inspect_both_kinds(d: Any) -> None:
    d.berth("run", "--name", "al", "busybox", "true")
    for verb in ("ls", "list", "ps"):
        d.same("container", verb, "-a", "--format", "{{.Names}} {{.Image}} {{.Status}}")
    d.same("inspect", "--format", "{{.Id}}", "al", "busybox")
    full = json.loads(d.same("inspect", "al", "busybox:latest").stdout)
    assert [x.get("Name") for x in full] == ["/al", None]
    d.same("inspect", "--type", "image", "al")
    d.same("inspect", "--type", "container", "-f", "{{.Name}}", "al")
    d.same("inspect", "-s", "-f", "{{.SizeRootFs}}", "al")


def test_logs_until(d: Any) -> None:
    d.berth("run", "--name", "lu", "busybox", "sh", "-c",
            "echo one; sleep 1.1; echo two; echo three")
    stamped = [line.split(" ", 1) for line in d.berth("logs", "-t", "lu").stdout.splitlines()]
    second = stamped[1][0]
    # Both bounds are inclusive to the nanosecond (moby skips only entries *after* until);
    # "two" and "three" may share one stamp when they arrive in one read.
    last = max(i for i, (stamp, _) in enumerate(stamped) if stamp == second)
    upto = "".join(f"{msg}\n" for _, msg in stamped[:last + 1])
    assert d.same("logs", "--until", second, "lu").stdout == upto
    assert d.same("logs", "--since", second, "lu").stdout == "two\nthree\n"
    d.same("logs", "--until", "1h", "lu")
    d.same("logs", "--until", "nope", "lu")
