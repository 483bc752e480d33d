"""root, mounts, devices, maskedPaths, readonlyPaths as seen from inside the container."""

from __future__ import annotations

import os
from typing import Any

import pytest
from tests.privileged.runtime.conftest import Runtime

pytestmark = pytest.mark.root


def test_default_mounts_and_devices(rt: Runtime) -> None:
    out = rt.run(["sh", "-c", "cat /proc/self/mountinfo; echo ---; "
                  "stat -c '%n %t %T %a' /dev/null /dev/zero /dev/full /dev/random "
                  "/dev/urandom /dev/tty; "
                  "for l in /dev/ptmx /dev/fd /dev/stdin; do readlink $l; done"]).stdout
    mountinfo, devs = out.split("---\n")
    points = {line.split()[4]: line for line in mountinfo.splitlines()}
    for p in ("/", "/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys",
              "/sys/fs/cgroup"):
        assert p in points, p
    lines = devs.splitlines()
    assert lines[0] == "/dev/null 1 3 666"
    assert lines[1] == "/dev/zero 1 5 666"
    assert lines[5] == "/dev/tty 5 0 666"
    assert lines[6:9] == ["pts/ptmx", "/proc/self/fd", "/proc/self/fd/0"]


def test_masked_and_readonly_paths(rt: Runtime) -> None:
    res = rt.run(["sh", "-c", "wc -c < /proc/timer_list; ls /sys/firmware | wc -l; "
                  "echo 1 > /proc/sys/kernel/domainname && echo wrote || echo refused"])
    assert res.stdout.split() == ["0", "0", "refused"]


def test_readonly_root(rt: Runtime) -> None:
    b = rt.edit(rt.bundle(["sh", "-c", "touch /x && echo wrote || echo refused; "
                           "touch /tmp/y && echo tmp-wrote || echo tmp-refused"]),
                lambda c: c["root"].__setitem__("readonly", True))
    assert rt.run([], bundle=b).stdout.split() == ["refused", "tmp-refused"]


def test_bind_tmpfs_and_propagation(rt: Runtime) -> None:
    src = rt.tmp / "shared"
    src.mkdir()
    (src / "hello").write_text("from host")
    (rt.tmp / "file.txt").write_text("single file")

    def edit(cfg: dict[str, Any]) -> None:
        cfg["mounts"] += [
            {"destination": "/data", "type": "bind", "source": str(src),
             "options": ["rbind", "ro", "rprivate"]},
            {"destination": "/etc/single", "type": "bind", "source": str(rt.tmp / "file.txt"),
             "options": ["bind"]},
            {"destination": "/scratch", "type": "tmpfs", "source": "tmpfs",
             "options": ["size=1m", "mode=700"]},
        ]
    b = rt.edit(rt.bundle(["sh", "-c", "cat /data/hello; echo; cat /etc/single; echo; "
                           "touch /data/x && echo wrote || echo refused; stat -c %a /scratch;"
                           " grep ' /scratch ' /proc/self/mountinfo"]), edit)
    out = rt.run([], bundle=b).stdout.splitlines()
    assert out[:4] == ["from host", "single file", "refused", "700"]
    assert "tmpfs" in out[4]
    assert not (src / "x").exists()


def test_linux_devices(rt: Runtime) -> None:
    def edit(cfg: dict[str, Any]) -> None:
        cfg["linux"]["devices"] = [{"path": "/dev/mydev", "type": "c", "major": 1,
                                    "minor": 9, "fileMode": 0o640, "uid": 7, "gid": 8}]
    b = rt.edit(rt.bundle(["stat", "-c", "%t %T %a %u %g %F", "/dev/mydev"]), edit)
    assert rt.run([], bundle=b).stdout.strip() == "1 9 640 7 8 character special file"


def test_cgroup_mount_shows_own_cgroup(rt: Runtime) -> None:
    out = rt.run(["sh", "-c", "ls /sys/fs/cgroup; cat /sys/fs/cgroup/pids/pids.max"])
    assert "pids" in out.stdout.split() or "cgroup.controllers" in out.stdout


def test_no_pivot(rt: Runtime) -> None:
    b = rt.bundle(["sh", "-c", "ls /bin/busybox"])
    res = rt.cli("run", "--no-pivot", "-b", str(b), rt.new_id())
    assert res.stdout.strip() == "/bin/busybox"
    assert os.path.exists(b / "rootfs/bin/busybox")
