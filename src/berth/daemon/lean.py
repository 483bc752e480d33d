"""Keep libraries berthd never uses out of its memory (issue #4: idle RSS).

Called by ``main()`` before anything imports asyncio or aiohttp, never in a process that
already has them (tests that run ``serve()`` in-process are left alone):

* ``ssl``: asyncio and aiohttp import it only to offer TLS; berthd serves no TLS and makes
  no HTTPS requests, and ssl maps libssl and builds a module of ~1 MiB. Marking it absent
  is the documented way (``sys.modules[name] = None``) to make ``import ssl`` fail, which
  both libraries handle as "no TLS support".
* aiohttp's package ``__init__`` imports the whole HTTP client (connector, cookie jar,
  tracing, form data, digest auth: ~20 modules, ~4 MiB) although berthd only imports
  ``aiohttp.web``. The package is registered without running ``__init__``; a missing
  attribute that names a submodule imports it, and any other name runs the real
  ``__init__`` once, so code that does want the client still gets all of aiohttp.
* frozenlist's C++ extension is the only thing that maps libstdc++ (~1.1 MiB RSS with
  it); aiohttp uses FrozenList for its signal and middleware lists, where the library's
  own pure-Python class (chosen by ``FROZENLIST_NO_EXTENSIONS``) costs nothing that shows.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
import sys
import types

_VERSION = re.compile(r'^__version__\s*=\s*"([^"]+)"', re.M)


def block_ssl() -> None:
    """Make ``import ssl`` raise ImportError in this process (unless it is loaded already)."""
    sys.modules.setdefault("ssl", None)  # type: ignore[arg-type]


def pure_python_frozenlist() -> None:
    """Load frozenlist's Python implementation; the variable is not passed on to children."""
    if "frozenlist" in sys.modules or "FROZENLIST_NO_EXTENSIONS" in os.environ:
        return
    os.environ["FROZENLIST_NO_EXTENSIONS"] = "1"
    try:
        import frozenlist  # noqa: F401
    finally:
        del os.environ["FROZENLIST_NO_EXTENSIONS"]


def _lazy_package(name: str) -> types.ModuleType | None:
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None or not spec.submodule_search_locations \
            or not spec.origin:
        return None
    with open(spec.origin, encoding="utf-8") as f:
        found = _VERSION.search(f.read())
    if found is None:  # its submodules import __version__ from the package: stay safe
        return None
    pkg = types.ModuleType(name)
    pkg.__spec__, pkg.__file__, pkg.__loader__ = spec, spec.origin, spec.loader
    pkg.__path__ = list(spec.submodule_search_locations)
    pkg.__package__ = name
    pkg.__version__ = found.group(1)  # type: ignore[attr-defined]
    loading = False

    def __getattr__(attr: str) -> object:
        nonlocal loading
        if (attr.startswith("__") and attr != "__all__") or loading:
            raise AttributeError(f"module {name!r} has no attribute {attr!r}")
        if importlib.util.find_spec(f"{name}.{attr}") is not None:
            return importlib.import_module(f"{name}.{attr}")
        loading = True  # not a submodule: run the real __init__ (it replaces this hook)
        spec.loader.exec_module(pkg)  # type: ignore[union-attr]
        return getattr(pkg, attr)

    pkg.__getattr__ = __getattr__  # type: ignore[method-assign]
    return pkg


def lazy_aiohttp() -> None:
    """Register ``aiohttp`` so that ``import aiohttp.web`` skips the client half."""
    if "aiohttp" in sys.modules:
        return
    pkg = _lazy_package("aiohttp")
    if pkg is not None:
        sys.modules["aiohttp"] = pkg
