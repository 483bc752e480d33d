"""Layer tarballs in and out (layer 1): apply with OCI whiteouts and confined paths, write,
diff and compare trees, and sniff/undo/produce gzip and zstd compression.

Public API::

    apply_layer(stream, target, *, whiteouts="overlay"|"remove", ...) -> ApplyResult
    write_tar(root, out, *, paths=None)          # whole tree, deterministic
    write_overlay_diff(upper, out)               # overlay upper dir -> OCI layer tar
    diff_trees(old, new, out)                    # two full trees -> OCI layer tar
    changes(lower_dirs, upper) -> list[Change]   # docker diff kinds 0/1/2
    open_decompressed(stream) -> BinaryIO; sniff(head); compressor(kind, out)
"""

from .apply import ApplyResult, apply_layer
from .changes import Change, ChangeKind, changes
from .compression import Compression, compressor, sniff
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
    "open_decompressed",
    "sniff",
    "write_overlay_diff",
    "write_tar",
]
