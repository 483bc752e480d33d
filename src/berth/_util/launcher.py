"""Write a lean launcher script in place of pip's console script for a berth command.

Why: pip's script runs ``site`` (``.pth`` files, Debian's ``sitecustomize``: ~5 ms) and
imports ``re`` before the command parses anything; engines start ``berth-runtime``
several times per container and users start ``berth`` for every command. The launcher
starts the interpreter isolated and without ``site`` (``-I -S``), puts the directory
holding the ``berth`` package first on ``sys.path`` and, only for commands that need
third-party packages (the CLI's click fallback), appends the venv's site-packages
without running their ``.pth`` files.

Usage: ``python -m berth._util.launcher PATH MODULE [--site]``, e.g.
``python -m berth._util.launcher .venv/bin/berth-runtime berth.runtime.__main__``.
``pip install -e .`` writes pip's scripts back; ``make venv`` runs this after it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from berth._util.fsutil import write_atomic

TEMPLATE = """#!{python} -IS
# written by `python -m berth._util.launcher` (see that module for why)
import sys
sys.path[:0] = [{root!r}]
sys.path += {extra!r}
from {module} import main
main()
"""


def package_root() -> str:
    """The directory holding the ``berth`` package (src/ for an editable install)."""
    import berth

    return os.path.dirname(os.path.dirname(os.path.abspath(berth.__file__)))


def site_dirs() -> list[str]:
    """The interpreter's site-packages directories, as ``site`` would add them."""
    import site

    return [d for d in site.getsitepackages() if os.path.isdir(d) and d != package_root()]


def script(python: str, module: str, *, with_site: bool) -> str:
    extra = site_dirs() if with_site else []
    return TEMPLATE.format(python=python, root=package_root(), extra=extra, module=module)


def install(path: str, module: str, *, with_site: bool = False,
            python: str | None = None) -> None:
    """Write the launcher at ``path`` (atomically, mode 0755)."""
    text = script(python or sys.executable, module, with_site=with_site)
    write_atomic(Path(path), text.encode(), 0o755)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    flags = [a for a in args if a.startswith("--")]
    rest = [a for a in args if not a.startswith("--")]
    if len(rest) != 2 or set(flags) - {"--site"}:
        print("usage: python -m berth._util.launcher PATH MODULE [--site]", file=sys.stderr)
        return 2
    install(rest[0], rest[1], with_site="--site" in flags)
    return 0


if __name__ == "__main__":
    sys.exit(main())
