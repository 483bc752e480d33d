"""Recursive mount attributes (rro & co., mount_setattr): submounts of a bind follow them."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.privileged.runtime.conftest import Runtime

pytestmark = pytest.mark.root

PROBE = ("touch /data/top && echo top-wrote || echo top-refused; "
         "touch /data/sub/x && echo sub-wrote || echo sub-refused; "
         "grep ' /data/sub ' /proc/self/mountinfo")


@pytest.fixture
def tree(rt: Runtime) -> Iterator[Path]:
    """A host directory with a tmpfs mounted on its ``sub`` directory."""
    src = rt.tmp / "tree"
    (src / "sub").mkdir(parents=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "berth-rro-test", str(src / "sub")],
                   check=True)
    try:
        yield src
    finally:
        subprocess.run(["umount", "-l", str(src / "sub")], check=True)


def _run(rt: Runtime, src: Path, options: list[str]) -> list[str]:
    def edit(cfg: dict[str, Any]) -> None:
        cfg["mounts"].append({"destination": "/data", "type": "bind", "source": str(src),
                              "options": options})
    return rt.run([], bundle=rt.edit(rt.bundle(["sh", "-c", PROBE]), edit)).stdout.splitlines()


def test_rro_makes_submounts_read_only(rt: Runtime, tree: Path) -> None:
    out = _run(rt, tree, ["rbind", "rro", "rprivate"])
    assert out[:2] == ["top-refused", "sub-refused"]
    assert " ro," in out[2] or " ro " in out[2]
    assert not (tree / "top").exists()
    assert not (tree / "sub" / "x").exists()


def test_plain_ro_leaves_submounts_writable(rt: Runtime, tree: Path) -> None:
    out = _run(rt, tree, ["rbind", "ro", "rprivate"])
    assert out[:2] == ["top-refused", "sub-wrote"]
    assert (tree / "sub" / "x").exists()


def test_other_recursive_attributes(rt: Runtime, tree: Path) -> None:
    out = _run(rt, tree, ["rbind", "rnosuid", "rnodev", "rnoexec", "rnoatime", "rnosymfollow",
                          "rprivate"])
    assert out[:2] == ["top-wrote", "sub-wrote"]
    sub_opts = out[2].split()[5].split(",")
    for opt in ("rw", "nosuid", "nodev", "noexec", "noatime", "nosymfollow"):
        assert opt in sub_opts, (opt, out[2])


def test_clear_forms_and_last_wins(rt: Runtime, tree: Path) -> None:
    out = _run(rt, tree, ["rbind", "rro", "rnoatime", "rrw", "rstrictatime", "rprivate"])
    assert out[:2] == ["top-wrote", "sub-wrote"]
    sub_opts = out[2].split()[5].split(",")
    assert "rw" in sub_opts and "noatime" not in sub_opts and "relatime" not in sub_opts
