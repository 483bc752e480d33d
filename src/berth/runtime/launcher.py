"""Write a lean ``berth-runtime`` launcher in place of pip's console script.

Why: the script pip generates runs ``site`` (.pth files, sitecustomize: ~4 ms) and imports
``re`` to tidy ``argv[0]`` (~5 ms with the ``enum`` it pulls in) before berth-runtime does
anything; engines start the runtime several times per container. The lean launcher starts
the interpreter isolated and without ``site`` (``-I -S``) and puts only the directory that
holds the ``berth`` package on ``sys.path``: the runtime imports nothing else.

Usage: ``python -m berth.runtime.launcher [PATH]`` (default: ``berth-runtime`` next to
the running interpreter, i.e. the venv's bin directory).
"""

from __future__ import annotations

import os
import sys

from berth.runtime.state import write_atomic

TEMPLATE = """#!{python} -IS
# berth-runtime: written by `python -m berth.runtime.launcher` (see that module for why)
import sys
sys.path[:0] = [{package_root!r}]
from berth.runtime.__main__ import main
main()
"""


def package_root() -> str:
    """The directory holding the ``berth`` package (src/ for an editable install)."""
    import berth
    return os.path.dirname(os.path.dirname(os.path.abspath(berth.__file__)))


def script(python: str, root: str) -> str:
    """The launcher's text for interpreter ``python`` and package directory ``root``."""
    return TEMPLATE.format(python=python, package_root=root)


def install(path: str, python: str | None = None) -> None:
    """Write the launcher at ``path`` (atomically, mode 0755)."""
    exe = python or sys.executable
    write_atomic(path, script(exe, package_root()).encode(), 0o755)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    path = args[0] if args else os.path.join(os.path.dirname(sys.executable), "berth-runtime")
    install(path)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
