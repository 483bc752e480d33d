"""Layer tarballs in and out (layer 1): apply with OCI whiteouts and confined paths, write,
diff and compare trees, and sniff/undo/produce gzip and zstd compression.

Public API::

    apply_layer(stream, target, *, whiteouts="overlay"|"remove", ...) -> ApplyResult
    write_tar(root, out, *, paths=None)          # whole tree, deterministic
    write_overlay_diff(upper, out)               # overlay upper dir -> OCI layer tar
    diff_trees(old, new, out)                    # two full trees -> OCI layer tar
    changes(lower_dirs, upper) -> list[Change]   # docker diff kinds 0/1/2
    open_decompressed(stream) -> BinaryIO; sniff(head); compressor(kind, out)
    extract_tar(stream, root, dest, ...)         # docker cp into an untrusted root
    write_tree_at(parent_fd, name, out, rebase)  # fd-only tar of a live tree
    open_dir_in_root(root_fd, rel); follow_in_root(root_fd, path)   # chroot-like lookups
"""

from .apply import ApplyResult, apply_layer
from .changes import Change, ChangeKind, changes
from .compression import Compression, compressor, sniff
from .extract import extract_tar
from .fdtar import write_tree_at
from .scoped import follow_in_root, open_dir_in_root
from .stream import open_decompressed
from .treediff import diff_trees
from .write import write_overlay_diff, write_tar

__all__ = [
    "ApplyResult",
    "Change",
    "ChangeKind",
    "Compression",
    "apply_layer",
    "changes",
    "compressor",
    "diff_trees",
    "extract_tar",
    "follow_in_root",
    "open_decompressed",
    "open_dir_in_root",
    "sniff",
    "write_overlay_diff",
    "write_tar",
    "write_tree_at",
]
