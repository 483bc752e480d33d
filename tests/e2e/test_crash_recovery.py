"""kill -9 of berthd in the middle of a load or an import leaves a store that loads.

The request body is sent by hand, half of it, so the daemon is killed while it is
ingesting for certain; after the restart nothing of the half image is visible, every
stored blob still matches its digest, and the same input then goes through whole.
"""

from __future__ import annotations

import hashlib
import os
import socket
import tarfile
import time
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

PAYLOAD_MB = 48


def _rootfs_tar(path: Path) -> Path:
    """A rootfs with one big incompressible file, so ingest takes a while."""
    blob = path.parent / "big.bin"
    blob.write_bytes(os.urandom(PAYLOAD_MB << 20))
    with tarfile.open(path, "w") as tar:
        tar.add(blob, arcname="big.bin")
    blob.unlink()
    return path


def _send_half(sock_path: Path, target: str, body: Path) -> socket.socket:
    """POST ``body`` with its full Content-Length but only its first half on the wire."""
    data = body.read_bytes()
    s = socket.socket(socket.AF_UNIX)
    s.connect(str(sock_path))
    head = (f"POST {target} HTTP/1.1\r\nHost: berth\r\nContent-Type: application/x-tar\r\n"
            f"Content-Length: {len(data)}\r\n\r\n").encode()
    s.sendall(head + data[: len(data) // 2])
    return s


def _wait_for_ingest(data_root: Path, min_bytes: int) -> None:
    """Until some in-progress ingest holds at least ``min_bytes``."""
    deadline = time.monotonic() + 60
    ingest = data_root / "content" / "ingest"
    while time.monotonic() < deadline:
        sizes = [f.stat().st_size for f in ingest.glob("*/data")] if ingest.exists() else []
        if sizes and max(sizes) >= min_bytes:
            return
        time.sleep(0.02)
    raise AssertionError("the daemon never started ingesting the body")


def _assert_blobs_verify(data_root: Path) -> int:
    blobs = list((data_root / "content" / "blobs" / "sha256").glob("*"))
    for blob in blobs:
        assert hashlib.sha256(blob.read_bytes()).hexdigest() == blob.name, blob
    return len(blobs)


def _assert_recovered(d: Any, before_blobs: int) -> None:
    assert d.alive()
    assert d.docker("images", "-q").stdout.strip() == ""
    assert d.berth("images", "-q").stdout.strip() == ""
    assert _assert_blobs_verify(d.data_root) == before_blobs


def test_kill9_during_load_leaves_a_store_that_loads(berthd: Any, tmp_path: Path) -> None:
    d = berthd
    d.berth("import", str(_rootfs_tar(tmp_path / "rootfs.tar")), "crash/big:1")
    image_id = d.berth("image", "inspect", "--format", "{{.Id}}", "crash/big:1").stdout.strip()
    saved = tmp_path / "saved.tar"
    d.berth("save", "-o", str(saved), "crash/big:1")
    d.berth("rmi", "crash/big:1")
    blobs = _assert_blobs_verify(d.data_root)

    conn = _send_half(d.sock, "/v1.44/images/load?quiet=1", saved)
    _wait_for_ingest(d.data_root, 1 << 20)
    d.kill9_and_restart()
    conn.close()

    _assert_recovered(d, blobs)
    out = d.docker("load", "-i", str(saved)).stdout
    assert "crash/big:1" in out
    assert d.docker("image", "inspect", "--format", "{{.Id}}", "crash/big:1").stdout.strip() \
        == image_id


def test_kill9_during_import_leaves_a_store_that_loads(berthd: Any, tmp_path: Path) -> None:
    d = berthd
    rootfs = _rootfs_tar(tmp_path / "rootfs.tar")
    blobs = _assert_blobs_verify(d.data_root)

    conn = _send_half(d.sock, "/v1.44/images/create?fromSrc=-&repo=crash/imp&tag=1", rootfs)
    _wait_for_ingest(d.data_root, 1 << 20)
    d.kill9_and_restart()
    conn.close()

    _assert_recovered(d, blobs)
    d.docker("import", str(rootfs), "crash/imp:1")
    assert "crash/imp" in d.docker("images").stdout
