"""A warm, single-threaded process that runs bundles with ``berth.runtime.run_in_process``.

Run as a script (``python bench/warm_runtime.py ROOT BUNDLE``): it imports berth.runtime once,
then for each container id read from stdin runs the bundle to completion and answers one line,
``ok <exit code>`` or ``err <message>``. A separate process because ``run_in_process`` forks
and makes its caller a child subreaper, which the bench process must not become.
"""

from __future__ import annotations

import sys


def serve(root: str, bundle: str) -> None:
    """Answer one line per container id until stdin closes."""
    from berth.runtime import run_in_process

    for line in sys.stdin:
        cid = line.strip()
        if not cid:
            continue
        try:
            answer = f"ok {run_in_process(root, cid, bundle)}"
        except Exception as e:  # report, keep serving
            answer = "err " + f"{type(e).__name__}: {e}".replace("\n", " ")[:300]
        sys.stdout.write(answer + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    serve(sys.argv[1], sys.argv[2])
