"""An open ingest: appends to ``ingest/<h>/data`` and commits it into ``blobs/`` by rename."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

from berth._util.fsutil import fsync_dir, remove_tree, unlock
from berth.errdefs import DataLoss, FailedPrecondition, InvalidArgument
from berth.oci.digest import Digest


class LocalWriter:
    """Writer over one locked ingest directory (see ``berth.content.store`` for the lifecycle)."""

    def __init__(self, ref: str, directory: Path, lock_fd: int, *, total: int | None,
                 expected: Digest | None, blob_path: Callable[[Digest], Path]) -> None:
        self._ref = ref
        self._dir = directory
        self._lock_fd = lock_fd
        self._total = total
        self._expected = expected
        self._blob_path = blob_path
        self._fd = os.open(directory / "data", os.O_WRONLY | os.O_APPEND | os.O_CLOEXEC)
        self._hasher = _hash_file(directory / "data", expected.algorithm if expected else "sha256")
        self._offset = os.fstat(self._fd).st_size
        self._open = True

    @property
    def ref(self) -> str:
        return self._ref

    @property
    def offset(self) -> int:
        return self._offset

    @property
    def total(self) -> int | None:
        return self._total

    def __enter__(self) -> LocalWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def write(self, data: bytes) -> int:
        """Append ``data``; refuses to grow past the declared total."""
        self._check_open()
        if self._total is not None and self._offset + len(data) > self._total:
            raise InvalidArgument(f"ingest {self._ref}: write past declared size {self._total}")
        view = memoryview(data)
        while view:
            n = os.write(self._fd, view)
            self._hasher.update(view[:n])
            self._offset += n
            view = view[n:]
        return len(data)

    def digest(self) -> Digest:
        """Digest of what has been written so far."""
        return Digest.from_hasher(self._hasher.copy())

    def commit(self, expected: Digest | None = None, size: int | None = None) -> Digest:
        """fsync, verify size and digest, rename into blobs/; the ingest is gone after."""
        self._check_open()
        expected = expected or self._expected
        size = size if size is not None else self._total
        os.fsync(self._fd)
        if size is not None and self._offset != size:
            raise InvalidArgument(f"ingest {self._ref}: got {self._offset} bytes, expected {size}")
        got = self._final_digest(expected.algorithm if expected else self._hasher.name)
        if expected is not None and got != expected:
            raise DataLoss(f"ingest {self._ref}: content digest {got} does not match {expected}")
        self._publish(got)
        return got

    def _final_digest(self, algorithm: str) -> Digest:
        if algorithm == self._hasher.name:
            return self.digest()
        return Digest.from_hasher(_hash_file(self._dir / "data", algorithm))

    def _publish(self, d: Digest) -> None:
        target = self._blob_path(d)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            os.fchmod(self._fd, 0o444)
            os.rename(self._dir / "data", target)
            fsync_dir(target.parent)
        self._finish(remove=True)

    def abort(self) -> None:
        """Drop the ingest and everything written to it."""
        self._check_open()
        self._finish(remove=True)

    def close(self) -> None:
        """Release the ref, keeping the ingest for a later writer to resume."""
        if self._open:
            os.fsync(self._fd)
            self._finish(remove=False)

    def _finish(self, *, remove: bool) -> None:
        os.close(self._fd)
        if remove:
            remove_tree(self._dir)
        unlock(self._lock_fd)
        self._open = False

    def _check_open(self) -> None:
        if not self._open:
            raise FailedPrecondition(f"ingest {self._ref}: writer is closed")


def _hash_file(path: Path, algorithm: str) -> hashlib._Hash:
    h = hashlib.new(algorithm)
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h
