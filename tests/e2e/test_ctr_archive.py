"""``docker cp`` both ways, ``export``, ``commit`` + run, ``diff`` with the real docker CLI.

One daemon per module with busybox imported from Debian's busybox-static. Each test
removes its containers (autouse fixture) and the images it committed.
"""

from __future__ import annotations

import io
import os
import shutil
import tarfile
from pathlib import Path
from typing import Any

import pytest

from berth.testing.waiting import wait_for as _until

pytestmark = [pytest.mark.e2e, pytest.mark.root,
              pytest.mark.skipif(os.geteuid() != 0, reason="containers need root"),
              pytest.mark.skipif(shutil.which("docker") is None, reason="no docker CLI"),
              pytest.mark.usefixtures("clean_containers")]  # `d`: tests/e2e/conftest.py


def test_cp_into_created_then_run(d: Any, tmp_path: Path) -> None:
    src = tmp_path / "a.txt"
    src.write_text("hello cp\n")
    cid = d.docker("create", "busybox", "cat", "/tmp/a.txt").stdout.strip()
    d.docker("cp", str(src), f"{cid}:/tmp/")
    d.docker("start", cid)
    assert d.docker("wait", cid).stdout.strip() == "0"
    assert d.docker("logs", cid).stdout == "hello cp\n"


def test_cp_out_of_running_and_stdout(d: Any, tmp_path: Path) -> None:
    cid = d.docker("run", "-d", "busybox", "sh", "-c",
                   "mkdir -p /data/sub && echo x > /data/sub/f && sleep 60").stdout.strip()
    d.docker("exec", cid, "test", "-f", "/data/sub/f", check=False)
    _until(lambda: d.docker("cp", f"{cid}:/data/sub/f", str(tmp_path / "f"),
                            check=False).returncode == 0)
    assert (tmp_path / "f").read_text() == "x\n"
    d.docker("cp", f"{cid}:/data", str(tmp_path / "out"))
    assert (tmp_path / "out/sub/f").read_text() == "x\n"
    res = d.docker("cp", f"{cid}:/etc/passwd", "-", input=b"")
    with tarfile.open(fileobj=io.BytesIO(res.stdout)) as tf:
        assert tf.getnames() == ["passwd"]
        member = tf.extractfile("passwd")
        assert member is not None and member.read().startswith(b"root:x:0:0")


def test_cp_tar_from_stdin_into_dir(d: Any) -> None:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        data = b"from stdin\n"
        info = tarfile.TarInfo("in/file.txt")
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
    cid = d.docker("create", "busybox", "cat", "/tmp/in/file.txt").stdout.strip()
    d.docker("cp", "-", f"{cid}:/tmp", input=buf.getvalue())
    d.docker("start", "-a", cid)
    assert d.docker("logs", cid).stdout == "from stdin\n"


def test_cp_missing_path(d: Any, tmp_path: Path) -> None:
    cid = d.docker("create", "busybox").stdout.strip()
    res = d.docker("cp", f"{cid}:/nope", str(tmp_path), check=False)
    assert res.returncode != 0
    assert "Could not find the file /nope in container" in res.stderr


def test_cp_symlink_escape_stays_inside(d: Any, tmp_path: Path) -> None:
    """A container link ``/escape -> /`` (and ``../../..``) resolves in the container."""
    cid = d.docker("run", "-d", "busybox", "sh", "-c",
                   "ln -s / /escape; ln -s ../../../../.. /tmp/up; echo in > /marker; "
                   "sleep 60").stdout.strip()
    _until(lambda: d.docker("cp", f"{cid}:/marker", str(tmp_path / "m"),
                            check=False).returncode == 0)
    host_marker = Path("/berth-cp-escape-test")
    assert not host_marker.exists()
    src = tmp_path / "berth-cp-escape-test"
    src.write_text("payload\n")
    d.docker("cp", str(src), f"{cid}:/escape/")
    d.docker("cp", str(src), f"{cid}:/tmp/up/")
    assert not host_marker.exists()
    assert d.docker("exec", cid, "cat", "/berth-cp-escape-test").stdout == "payload\n"
    # reading through the links reads the container's files, not the host's
    d.docker("cp", f"{cid}:/tmp/up/marker", str(tmp_path / "m2"))
    assert (tmp_path / "m2").read_text() == "in\n"


def test_export(d: Any, tmp_path: Path) -> None:
    cid = d.docker("create", "busybox").stdout.strip()
    out = tmp_path / "e.tar"
    d.docker("export", "-o", str(out), cid)
    with tarfile.open(out) as tf:
        names = set(tf.getnames())
    assert "bin/busybox" in names and "etc/passwd" in names


def test_commit_then_run_and_whiteouts(d: Any) -> None:
    cid = d.docker("run", "-d", "busybox", "sh", "-c",
                   "echo committed > /new.txt; rm /etc/group; sleep 60").stdout.strip()
    _until(lambda: d.docker("exec", cid, "test", "-f", "/new.txt",
                            check=False).returncode == 0)
    try:
        d.docker("commit", "-c", "ENV FOO=bar", cid, "snap:1")
        run = d.docker("run", "--rm", "snap:1", "sh", "-c",
                       'cat /new.txt; test -e /etc/group || echo gone; echo "$FOO"')
        assert run.stdout == "committed\ngone\nbar\n"
        assert d.docker("inspect", "-f", "{{.State.Status}}", cid).stdout.strip() == "running"
    finally:
        d.remove_all_containers()
        d.docker("rmi", "snap:1", check=False)


def test_diff(d: Any) -> None:
    cid = d.docker("run", "-d", "busybox", "sh", "-c",
                   "echo x > /tmp/added; rm /etc/group; sleep 60").stdout.strip()
    _until(lambda: "/tmp/added" in d.docker("diff", cid).stdout)
    lines = d.docker("diff", cid).stdout.splitlines()
    assert "A /tmp/added" in lines and "D /etc/group" in lines and "C /tmp" in lines
    assert not any("hosts" in ln or "resolv.conf" in ln for ln in lines), lines


