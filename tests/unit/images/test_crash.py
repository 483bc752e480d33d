"""kill -9 during load, at three points: mid-stream, after unpack, before registration.

The store must reopen, GC must leave no half image, no stray snapshot, no partial blob;
and the same tarball must then load cleanly.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from imgtest_util import close_service, open_service, tar_of

from berth.oci.digest import Digest

HERE = Path(__file__).parent

CHILD = r"""
import sys, threading
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from imgtest_util import open_service
from berth.archive import apply_layer
root, mode, marker = Path(sys.argv[2]), sys.argv[3], Path(sys.argv[4])
svc = open_service(root)
def block():
    marker.write_text("x")
    threading.Event().wait()
if mode == "after-apply":
    def slow_apply(*a, **k):
        r = apply_layer(*a, **k)
        block()
        return r
    svc._apply = slow_apply
elif mode == "before-register":
    svc.db.put_image = lambda rec: block()
svc.load_images(sys.stdin.buffer)
"""


def _archive(tmp: Path) -> bytes:
    layer = tar_of({f"f{i}": os.urandom(256 << 10) for i in range(24)})  # ~6 MiB
    diff = "sha256:" + hashlib.sha256(layer).hexdigest()
    cfg = json.dumps({"architecture": "amd64", "os": "linux",
                      "rootfs": {"type": "layers", "diff_ids": [diff]}}).encode()
    cpath = "blobs/sha256/" + hashlib.sha256(cfg).hexdigest()
    manifest = json.dumps([{"Config": cpath, "RepoTags": ["crash:1"],
                            "Layers": ["blobs/sha256/" + diff[7:]]}]).encode()
    import io
    import tarfile
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        for name, data in ((cpath, cfg), ("blobs/sha256/" + diff[7:], layer),
                           ("manifest.json", manifest)):
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            tf.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


def _wait_for(cond, what: str, proc: subprocess.Popen) -> None:  # type: ignore[no-untyped-def, type-arg]
    deadline = time.monotonic() + 60
    while not cond():
        if proc.poll() is not None:
            raise AssertionError(f"child exited ({proc.returncode}) before {what}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


def _ingest_started(root: Path) -> bool:
    ingest = root / "content" / "ingest"
    return ingest.exists() and any(
        f.stat().st_size > (1 << 20) for f in ingest.rglob("*") if f.is_file())


@pytest.mark.parametrize("mode", ["mid-stream", "after-apply", "before-register"])
def test_kill9_during_load_leaves_loadable_store(tmp_path: Path, mode: str) -> None:
    data = _archive(tmp_path)
    root, marker = tmp_path / "root", tmp_path / "marker"
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(HERE), str(root), mode,
                             str(marker)], stdin=subprocess.PIPE)
    try:
        assert proc.stdin is not None
        if mode == "mid-stream":
            proc.stdin.write(data[: len(data) * 2 // 3])
            proc.stdin.flush()
            _wait_for(lambda: _ingest_started(root), "ingest to start", proc)
        else:
            proc.stdin.write(data)
            proc.stdin.close()  # the whole tarball is read; the crash comes later
            _wait_for(marker.exists, "the crash point", proc)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if proc.stdin and not proc.stdin.closed:
            proc.stdin.close()
    svc = open_service(root)
    try:
        left = {i.key: i.kind.value for i in svc.snapshotter.walk()}
        if mode == "after-apply":  # the crash left an extraction snapshot behind
            assert next(k for k, kind in left.items() if kind == "active").startswith("extract-")
        elif mode == "before-register":  # ... or a committed layer nothing references
            assert list(left.values()) == ["committed"]
            assert any(True for _ in svc.content.walk())
        svc.gc()
        assert svc.list_images() == []
        assert list(svc.snapshotter.walk()) == []
        assert list(svc.content.walk()) == []
        blobs = root / "content" / "blobs" / "sha256"
        for f in blobs.iterdir() if blobs.exists() else []:
            assert Digest.from_bytes(f.read_bytes()) == f"sha256:{f.name}"
        import io
        assert svc.load_images(io.BytesIO(data)) == ["crash:1"]
        assert svc.resolve("crash:1").layers[0].tar_size > 6 << 20
    finally:
        close_service(svc)
