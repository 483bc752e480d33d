"""``LocalStore``: the content store on a local filesystem (layout in ``_layout``)."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from berth._util import fsutil as _fsutil
from berth.content._layout import SCHEMA_VERSION, TMP_PREFIX, Layout
from berth.content._reader import open_verified
from berth.content._writer import LocalWriter
from berth.content.store import Info, IngestStatus
from berth.errdefs import (
    Conflict,
    DataLoss,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    Unavailable,
)
from berth.oci.digest import Digest

DEFAULT_MAX_READ = 64 << 20


class LocalStore:
    """Blobs under ``root/blobs``, resumable ingests under ``root/ingest``."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._layout = Layout(self.root)
        self._init_root()
        self._sweep()

    # -- read side ---------------------------------------------------------------------

    def info(self, d: Digest) -> Info:
        d = Digest(d)
        try:
            st = self._layout.blob(d).stat()
        except FileNotFoundError:
            raise NotFound(f"content {d}: not found") from None
        return Info(d, st.st_size, datetime.fromtimestamp(st.st_mtime, UTC))

    def exists(self, d: Digest) -> bool:
        return self._layout.blob(Digest(d)).exists()

    def path(self, d: Digest) -> Path:
        """Where the blob lives (read-only); for callers that need a file, e.g. tar readers."""
        self.info(d)
        return self._layout.blob(Digest(d))

    def open(self, d: Digest) -> BinaryIO:
        """A buffered reader that raises DataLoss at EOF if the bytes do not match ``d``."""
        d = Digest(d)
        try:
            fd = os.open(self._layout.blob(d), os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            raise NotFound(f"content {d}: not found") from None
        return open_verified(fd, d)

    def read_bytes(self, d: Digest, max_size: int = DEFAULT_MAX_READ) -> bytes:
        """The whole blob, verified; refuses blobs larger than ``max_size``."""
        info = self.info(d)
        if info.size > max_size:
            raise InvalidArgument(f"content {d}: {info.size} bytes exceeds limit {max_size}")
        data = self._layout.blob(info.digest).read_bytes()
        got = Digest.from_bytes(data, info.digest.algorithm)
        if got != info.digest:
            raise DataLoss(f"content {d}: stored bytes hash to {got}")
        return data

    # -- management --------------------------------------------------------------------

    def delete(self, d: Digest) -> None:
        d = Digest(d)
        try:
            self._layout.blob(d).unlink()
        except FileNotFoundError:
            raise NotFound(f"content {d}: not found") from None
        _fsutil.fsync_dir(self._layout.blob(d).parent)

    def walk(self) -> Iterator[Info]:
        """Every whole blob; names that are not valid digests are skipped."""
        for algo_dir in sorted(self._layout.blobs.iterdir()):
            if not algo_dir.is_dir():
                continue
            for entry in sorted(algo_dir.iterdir()):
                name = f"{algo_dir.name}:{entry.name}"
                if not Digest.is_valid(name):
                    continue
                with contextlib.suppress(NotFound):
                    yield self.info(Digest(name))

    def disk_usage(self) -> int:
        """Bytes held by blobs (ingests not counted)."""
        return sum(i.size for i in self.walk())

    # -- ingest ------------------------------------------------------------------------

    def writer(self, ref: str, *, expected: Digest | None = None,
               total: int | None = None) -> LocalWriter:
        """Open (or resume) the ingest named ``ref``; Unavailable if another writer holds it."""
        _check_ref(ref)
        if total is not None and total < 0:
            raise InvalidArgument(f"ingest {ref}: negative size {total}")
        expected = Digest(expected) if expected is not None else None
        directory = self._layout.ingest_dir(ref)
        lock_fd = self._lock_ingest(ref, directory, create=True)
        try:
            total, expected = self._reconcile(ref, directory, total, expected)
            return LocalWriter(ref, directory, lock_fd, total=total, expected=expected,
                               blob_path=self._layout.blob)
        except BaseException:
            _fsutil.unlock(lock_fd)
            raise

    def abort(self, ref: str) -> None:
        """Drop the ingest ``ref``; NotFound if there is none, Unavailable if in use."""
        _check_ref(ref)
        directory = self._layout.ingest_dir(ref)
        lock_fd = self._lock_ingest(ref, directory, create=False)
        _fsutil.remove_tree(directory)
        _fsutil.unlock(lock_fd)

    def list_ingests(self) -> list[IngestStatus]:
        out = []
        for d in sorted(self._layout.ingest.iterdir()):
            if not d.name.startswith(TMP_PREFIX):
                with contextlib.suppress(FileNotFoundError, ValueError, InvalidArgument):
                    out.append(_status(d))
        return out

    def ingest_bytes(self, data: bytes, expected: Digest | None = None) -> Digest:
        """Store ``data`` in one step; returns its digest."""
        return self._ingest_once(lambda w: w.write(data), expected, len(data))

    def ingest_stream(self, f: BinaryIO, expected: Digest | None = None,
                      total: int | None = None) -> Digest:
        """Copy a stream into the store, verifying against ``expected``/``total`` if given."""
        def pump(w: LocalWriter) -> None:
            while chunk := f.read(1 << 20):
                w.write(chunk)
        return self._ingest_once(pump, expected, total)

    # -- internals ---------------------------------------------------------------------

    def _ingest_once(self, fill: Callable[[LocalWriter], object], expected: Digest | None,
                     total: int | None) -> Digest:
        """One private ingest that is committed, or aborted on any failure."""
        ref = f"oneshot-{os.getpid()}-{secrets.token_hex(8)}"
        w = self.writer(ref, expected=expected, total=total)
        try:
            fill(w)
            return w.commit()
        except BaseException:
            with contextlib.suppress(FailedPrecondition):
                w.abort()
            raise

    def _lock_ingest(self, ref: str, directory: Path, *, create: bool) -> int:
        """Lock the ingest dir, making it first if asked; retries if it vanished meanwhile."""
        for _ in range(8):
            if not directory.exists():
                if not create:
                    raise NotFound(f"ingest {ref}: not found")
                self._create_ingest(ref, directory)
            fd = _fsutil.lock_exclusive(directory / "lock", f"ingest {ref}")
            try:
                if os.stat(directory / "lock").st_ino == os.fstat(fd).st_ino:
                    return fd
            except FileNotFoundError:
                pass
            _fsutil.unlock(fd)
        raise Unavailable(f"ingest {ref}: directory keeps changing")

    def _create_ingest(self, ref: str, directory: Path) -> None:
        tmp = self._layout.ingest / f"{TMP_PREFIX}{os.getpid()}-{secrets.token_hex(6)}"
        tmp.mkdir()
        (tmp / "ref").write_text(ref)
        (tmp / "data").touch()
        (tmp / "lock").touch()
        try:
            os.rename(tmp, directory)
        except OSError:  # another process created it first
            _fsutil.remove_tree(tmp)
            return
        _fsutil.fsync_dir(self._layout.ingest)

    def _reconcile(self, ref: str, directory: Path, total: int | None,
                   expected: Digest | None) -> tuple[int | None, Digest | None]:
        """Merge the caller's total/expected with the recorded ones; Conflict on a mismatch."""
        if (directory / "ref").read_text() != ref:
            raise Conflict(f"ingest {ref}: directory belongs to another ref")
        if not (directory / "data").exists():  # leftover of a finished commit
            (directory / "data").touch()
        stored_total = _read_opt(directory / "total")
        stored_expected = _read_opt(directory / "expected")
        if total is not None and stored_total is not None and int(stored_total) != total:
            raise Conflict(f"ingest {ref}: size {total} differs from recorded {stored_total}")
        if expected is not None and stored_expected not in (None, expected):
            raise Conflict(f"ingest {ref}: digest {expected} differs from {stored_expected}")
        if total is not None and stored_total is None:
            _fsutil.write_atomic(directory / "total", str(total).encode())
        if expected is not None and stored_expected is None:
            _fsutil.write_atomic(directory / "expected", expected.encode())
        return (int(stored_total) if stored_total is not None else total,
                Digest(stored_expected) if stored_expected is not None else expected)

    def _init_root(self) -> None:
        for d in (self.root, self._layout.blobs, self._layout.ingest):
            d.mkdir(parents=True, exist_ok=True)
        vf = self._layout.version_file
        if not vf.exists():
            _fsutil.write_atomic(vf, f"{SCHEMA_VERSION}\n".encode())
        version = vf.read_text().strip()
        if not version.isdigit() or int(version) > SCHEMA_VERSION:
            raise FailedPrecondition(f"content store {self.root}: unsupported schema {version!r}")

    def _sweep(self) -> None:
        """Remove creation temps of dead processes and ingests whose data was committed."""
        for d in self._layout.ingest.iterdir():
            if d.name.startswith(TMP_PREFIX):
                pid = d.name[len(TMP_PREFIX):].split("-", 1)[0]
                if not pid.isdigit() or not _fsutil.pid_alive(int(pid)):
                    _fsutil.remove_tree(d)
            elif not (d / "data").exists():
                with contextlib.suppress(Unavailable, OSError):
                    fd = _fsutil.lock_exclusive(d / "lock", f"ingest {d.name}")
                    if not (d / "data").exists():
                        _fsutil.remove_tree(d)
                    _fsutil.unlock(fd)


def _check_ref(ref: str) -> None:
    if not ref or "\0" in ref or len(ref) > 4096:
        raise InvalidArgument(f"invalid ingest ref {ref!r}")


def _read_opt(path: Path) -> str | None:
    try:
        return path.read_text().strip() or None
    except FileNotFoundError:
        return None


def _status(d: Path) -> IngestStatus:
    started = (d / "ref").stat().st_mtime
    data = (d / "data").stat()
    total = _read_opt(d / "total")
    expected = _read_opt(d / "expected")
    return IngestStatus(
        ref=(d / "ref").read_text(), offset=data.st_size,
        total=int(total) if total is not None else None,
        expected=Digest(expected) if expected is not None else None,
        started_at=datetime.fromtimestamp(started, UTC),
        updated_at=datetime.fromtimestamp(data.st_mtime, UTC))
