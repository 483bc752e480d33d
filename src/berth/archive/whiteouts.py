"""OCI whiteouts (image-spec layer.md): ``.wh.<name>`` deletes, ``.wh..wh..opq`` hides.

Two ways to honour them while applying a layer:

* ``overlay`` — the target is an overlayfs upper dir: a whiteout becomes a 0/0 character
  device named ``<name>``; an opaque directory gets ``trusted.overlay.opaque=y``.
* ``remove`` — the target is a full tree (a copy of the parents): the named entry is
  deleted for real; an opaque directory loses every child this layer did not put there.
"""

from __future__ import annotations

import os
import stat

from berth.errdefs import InvalidArgument

from . import _create
from ._resolve import DirResolver
from .paths import ancestors

PREFIX = ".wh."
OPAQUE = ".wh..wh..opq"
META_PREFIX = ".wh..wh."  # aufs bookkeeping (.wh..wh.plnk etc.): ignored, as docker does
OPAQUE_XATTR = "trusted.overlay.opaque"


def whited_name(base: str, entry_name: str) -> str:
    """``.wh.foo`` → ``foo``, refusing names that would address something else."""
    name = base[len(PREFIX):]
    if name in ("", ".", "..") or "/" in name:
        raise InvalidArgument(f"tar entry {entry_name!r}: malformed whiteout")
    return name


class OverlayWhiteouts:
    """Whiteouts as overlayfs stores them in an upper dir."""

    def __init__(self, res: DirResolver) -> None:
        self._res = res
        self.whited: set[str] = set()

    def whiteout(self, parent: str, name: str, rel: str) -> None:
        pfd = self._res.dir_fd(parent)
        try:
            st = os.lstat(name, dir_fd=pfd)
        except FileNotFoundError:
            os.mknod(name, stat.S_IFCHR, os.makedev(0, 0), dir_fd=pfd)
            self.whited.add(rel)
            return
        if stat.S_ISDIR(st.st_mode):  # a dir this layer made: hide the lower one's content
            self.opaque(rel)

    def opaque(self, rel: str) -> None:
        os.setxattr(self._res.dir_fd(rel), OPAQUE_XATTR, b"y")

    def replaced_by_dir(self, rel: str) -> None:
        """A directory created where this layer put a whiteout must hide the lower dir."""
        if rel in self.whited:
            self.opaque(rel)


class RemoveWhiteouts:
    """Whiteouts applied to a full tree by deleting."""

    def __init__(self, res: DirResolver) -> None:
        self._res = res
        self._keep: set[str] = {""}

    def created(self, rel: str) -> None:
        """Record an entry of this layer (and its ancestors) so opaque dirs keep it."""
        if rel in self._keep:
            return
        self._keep.add(rel)
        if rel.rpartition("/")[0] in self._keep:
            return  # the usual case: the parent came first
        for anc in reversed(ancestors(rel)):
            if anc in self._keep:
                break
            self._keep.add(anc)

    def whiteout(self, parent: str, name: str, rel: str) -> None:
        pfd = self._res.lookup(parent)
        if pfd is not None:
            _create.remove(pfd, name, rel, self._forget)

    def opaque(self, rel: str) -> None:
        dfd = self._res.lookup(rel)
        if dfd is not None:
            self._purge(dfd, rel)

    def replaced_by_dir(self, rel: str) -> None:
        pass

    def _purge(self, dfd: int, rel: str) -> None:
        for child in os.listdir(dfd):
            crel = f"{rel}/{child}" if rel else child
            if crel not in self._keep:
                _create.remove(dfd, child, crel, self._forget)
                continue
            if not stat.S_ISDIR(os.lstat(child, dir_fd=dfd).st_mode):
                continue
            cfd = os.open(child, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC,
                          dir_fd=dfd)
            try:
                self._purge(cfd, crel)
            finally:
                os.close(cfd)

    def _forget(self, rel: str, is_dir: bool) -> None:
        self._res.forget(rel, is_dir=is_dir)
