"""The OCI runtime (runc equivalent): bundles, namespaces, rootfs, cgroups, seccomp.

In-process API (what ``berth-runtime`` calls, and what a warm spawner can call to skip
an interpreter start): ``run_in_process`` (create + start + wait + delete, for a warm
caller), ``create``, ``start``, ``run``, ``exec_process``, ``kill``,
``delete``, ``state``, ``list_states``, ``pause``, ``resume``, ``update``, ``pids``,
``stats``, ``Options``. Each takes the state root first. They fork: call them from a
single-threaded process (a lock another thread holds at fork stays held in the child).
Names load lazily so ``import berth.runtime.cgroups`` stays cheap.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


_API = {
    "create": "create", "Options": "create", "start": "start", "run": "run",
    "run_in_process": "run",
    "exec_process": "execproc", "kill": "ops", "delete": "ops", "state": "ops",
    "list_states": "ops", "pause": "ops", "resume": "ops", "update": "ops", "pids": "ops",
    "stats": "ops", "default_spec": "spec",
}
__all__ = sorted(_API)


def __getattr__(name: str) -> Any:
    mod = _API.get(name)
    if mod is None:
        raise AttributeError(f"module 'berth.runtime' has no attribute {name!r}")
    import importlib
    return getattr(importlib.import_module(f"berth.runtime.{mod}"), name)
