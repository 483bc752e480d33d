"""``docker cp``: stat, read and write paths of a container (``/containers/{id}/archive``).

Paths are resolved as moby's ``ResolvePath`` does, but inside the container's root fd
(:mod:`.rootaccess`) with chroot-like lookups: every symlink on the way — the last one too
when the path ends in ``/`` or ``/.`` — is followed *within* the container, so
``etc -> /host`` never reaches the host. Reading walks by fds only (a running container
cannot swap a directory for a link mid-copy to leak host files); writing goes through
``berth.archive.extract_tar`` (entries that climb out of the destination are refused).
Events: ``archive-path`` after a read, ``extract-to-dir`` after a write (moby's).
"""

from __future__ import annotations

import os
import posixpath
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from berth.archive import extract_tar, follow_in_root, open_dir_in_root, write_tree_at
from berth.errdefs import InvalidArgument, NotFound, PermissionDenied

from . import pathstat
from ._base import ServiceBase
from .rootaccess import RootAccess

CHUNK = 1 << 16


def abs_path(path: str) -> str:
    """``filepath.Join("/", path)`` keeping a trailing ``/`` or ``/.`` (moby)."""
    clean = "/" + posixpath.normpath("/" + path).lstrip("/")
    if path.endswith("/.") and not clean.endswith("/."):
        clean = clean.rstrip("/") + "/."
    elif path.endswith("/") and not clean.endswith("/"):
        clean += "/"
    return clean


def base_name(abs_: str) -> str:
    """Go's ``filepath.Base``: trailing slashes dropped, ``/`` for the root."""
    stripped = abs_.rstrip("/")
    return posixpath.basename(stripped) if stripped else "/"


class ArchiveOps(ServiceBase):
    def _root_access(self) -> RootAccess:
        ra: RootAccess | None = self.__dict__.get("_roots")
        if ra is None:
            ra = self.__dict__.setdefault("_roots", RootAccess())
        return ra

    def _not_found(self, path: str, ref: str) -> NotFound:
        return NotFound(f"Could not find the file {path} in container {ref}")

    def _lookup(self, root_fd: int, path: str, ref: str) -> tuple[int, str, str]:
        """(parent fd, last component or ``.``, absolute path) of ``path``."""
        ap = abs_path(path)
        parent, _, last = ap.rpartition("/")
        try:
            pfd = open_dir_in_root(root_fd, parent)
        except (FileNotFoundError, NotADirectoryError):
            raise self._not_found(path, ref) from None
        return pfd, last or ".", ap

    def _stat_at(self, root_fd: int, pfd: int, last: str, ap: str, path: str,
                 ref: str) -> dict[str, Any]:
        try:
            st = os.stat(last, dir_fd=pfd, follow_symlinks=False)
        except (FileNotFoundError, NotADirectoryError):
            raise self._not_found(path, ref) from None
        link = last != "." and stat.S_ISLNK(st.st_mode)
        target = follow_in_root(root_fd, ap) if link else ""
        return pathstat.path_stat(base_name(ap), st, target)

    def archive_stat(self, ref: str, path: str) -> dict[str, Any]:
        """``HEAD /containers/{id}/archive``: moby's ContainerPathStat of ``path``."""
        rec = self.get(ref)
        with self._root_access().open(self, rec) as root_fd:
            pfd, last, ap = self._lookup(root_fd, path, ref)
            try:
                return self._stat_at(root_fd, pfd, last, ap, path, ref)
            finally:
                os.close(pfd)

    def archive_get(self, ref: str, path: str) -> tuple[dict[str, Any], Iterator[bytes]]:
        """``GET …/archive``: (path stat, tar chunks) — entries named after ``path``."""
        rec = self.get(ref)
        spool = tempfile.TemporaryFile(dir=self.exec_root)  # noqa: SIM115 (_chunks closes)
        try:
            with self._root_access().open(self, rec) as root_fd:
                pfd, last, ap = self._lookup(root_fd, path, ref)
                try:
                    ps = self._stat_at(root_fd, pfd, last, ap, path, ref)
                    rebase = ps["name"] if ps["name"] != "/" else "."
                    write_tree_at(pfd, last, spool, rebase)
                finally:
                    os.close(pfd)
        except BaseException:
            spool.close()
            raise
        spool.seek(0)
        self.publish("archive-path", rec)
        return ps, _chunks(spool)

    def archive_put(self, ref: str, path: str, stream: BinaryIO, *,
                    no_overwrite_dir_non_dir: bool = False,
                    copy_uid_gid: bool = False) -> None:
        """``PUT …/archive``: extract a tar into directory ``path`` of the container."""
        rec = self.get(ref)
        with self._root_access().open(self, rec) as root_fd:
            resolved = follow_in_root(root_fd, abs_path(path))
            try:
                dfd = open_dir_in_root(root_fd, resolved)
            except FileNotFoundError:
                raise self._not_found(path, ref) from None
            except NotADirectoryError:
                raise InvalidArgument("extraction point is not a directory") from None
            try:
                if os.fstatvfs(dfd).f_flag & os.ST_RDONLY or (
                        rec["HostConfig"].get("ReadonlyRootfs")
                        and rec["State"]["Status"] not in ("running", "paused")):
                    raise PermissionDenied("container rootfs is marked read-only")
            finally:
                os.close(dfd)
            root = f"/proc/self/fd/{root_fd}"
            owner = self._copy_owner(rec, Path(root)) if copy_uid_gid else None
            extract_tar(stream, root, resolved, owner=owner,
                        no_overwrite_dir_non_dir=no_overwrite_dir_non_dir)
        self.publish("extract-to-dir", rec)

    def _copy_owner(self, rec: dict[str, Any], root: Path) -> tuple[int, int] | None:
        """``copyUIDGID``: the container user's ids (None when it runs as root)."""
        user = rec["Config"].get("User") or ""
        if not user:
            return None
        from .specgen.users import resolve
        u = resolve(root, user)
        return u.uid, u.gid


def _chunks(f: Any) -> Iterator[bytes]:
    with f:
        while chunk := f.read(CHUNK):
            yield chunk
