"""Fixtures for driving berth-runtime for real: busybox bundles, a private --root, cleanup."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from berth.testing.bundle import make_bundle, read_config, write_config
from berth.testing.rootfs import make_busybox_rootfs
from berth.testing.waiting import wait_for  # noqa: F401  (re-exported to the tests)


@pytest.fixture(scope="session")
def rootfs_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_busybox_rootfs(tmp_path_factory.mktemp("busybox") / "rootfs")


class Runtime:
    """One test's runtime root plus helpers to build bundles and call the CLI."""

    def __init__(self, tmp: Path, template: Path) -> None:
        self.tmp, self.template = tmp, template
        self.root = tmp / "state"
        self.ids: list[str] = []
        self.open_dirs: list[Path] = []

    def new_id(self) -> str:
        cid = f"bt-{uuid.uuid4().hex[:12]}"
        self.ids.append(cid)
        return cid

    def open_dir(self) -> Path:
        """A directory a user namespace's root can reach (pytest's tmp is 0700)."""
        d = Path(tempfile.mkdtemp(prefix="berth-rt-", dir="/tmp"))
        d.chmod(0o711)
        self.open_dirs.append(d)
        return d

    def bundle(self, args: list[str], *, terminal: bool = False, reachable: bool = False,
               **changes: Any) -> Path:
        base = self.open_dir() if reachable else self.tmp
        path = base / f"bundle-{uuid.uuid4().hex[:8]}"
        return make_bundle(path, args, terminal=terminal, rootfs_template=self.template,
                           **changes)

    def edit(self, bundle: Path, fn: Any) -> Path:
        cfg = read_config(bundle)
        fn(cfg)
        write_config(bundle, cfg)
        return bundle

    def cli(self, *args: str, check: bool = True, timeout: float = 60,
            **kw: Any) -> subprocess.CompletedProcess[str]:
        cmd = [sys.executable, "-m", "berth.runtime", "--root", str(self.root), *args]
        # files, not pipes: a detached container keeps its inherited stdio open
        out = self.tmp / f"out-{uuid.uuid4().hex[:8]}"
        err = out.with_suffix(".err")
        with open(out, "w+") as fo, open(err, "w+") as fe:
            proc = subprocess.run(cmd, stdout=fo, stderr=fe, text=True, timeout=timeout, **kw)
            fo.seek(0)
            fe.seek(0)
            res = subprocess.CompletedProcess(cmd, proc.returncode, fo.read(), fe.read())
        if check and res.returncode != 0:
            raise AssertionError(f"{cmd} -> {res.returncode}\nstdout: {res.stdout}\n"
                                 f"stderr: {res.stderr}")
        return res

    def run(self, args: list[str], bundle: Path | None = None,
            **kw: Any) -> subprocess.CompletedProcess[str]:
        """Foreground ``run`` of ``args`` (or of a prepared bundle)."""
        b = bundle or self.bundle(args)
        return self.cli("run", "--bundle", str(b), self.new_id(), **kw)

    def state(self, cid: str) -> dict[str, Any]:
        return json.loads(self.cli("state", cid).stdout)  # type: ignore[no-any-return]

    def cleanup(self) -> None:
        from berth.runtime import ops
        for cid in self.ids:
            try:
                ops.delete(self.root, cid, force=True)
            except Exception:
                pass
        for d in self.open_dirs:
            shutil.rmtree(d, ignore_errors=True)
        leftover = [cid for cid in self.ids if (self.root / cid).exists()]
        assert not leftover, f"state left behind: {leftover}"
        for cid in self.ids:
            for ctrl in ("memory", "pids", "cpu"):
                assert not (Path("/sys/fs/cgroup") / ctrl / cid).exists(), f"cgroup {ctrl}/{cid}"


@pytest.fixture
def rt(tmp_path: Path, rootfs_template: Path) -> Iterator[Runtime]:
    r = Runtime(tmp_path, rootfs_template)
    try:
        yield r
    finally:
        r.cleanup()


def read_proc(path: str) -> bytes:
    """Contents of a /proc file, or b"" if the process is gone."""
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return b""
