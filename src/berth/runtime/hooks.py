"""OCI hooks: run each with the container state JSON on stdin, honouring ``timeout``.

Where they run: prestart/createRuntime/poststart/poststop in the runtime's namespaces
(the calling berth-runtime process); createContainer in the init before pivot_root;
startContainer in the init after ``start``, just before execve.
"""

from __future__ import annotations

from berth._util import fastjson as json
from berth.errdefs import FailedPrecondition

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def hooks_of(cfg: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return list((cfg.get("hooks") or {}).get(name) or ())


def run_hooks(cfg: dict[str, Any], name: str, state: dict[str, Any]) -> None:
    """Run the ``name`` hooks in order; the first failure raises, naming the hook."""
    hooks = hooks_of(cfg, name)
    if not hooks:
        return
    import subprocess

    payload = json.dumps(state).encode()
    for i, hook in enumerate(hooks):
        path = hook["path"]
        args = hook.get("args") or [path]
        env = dict(e.split("=", 1) for e in hook.get("env") or () if "=" in e)
        what = f"hook {name}[{i}] ({path})"
        try:
            res = subprocess.run(args, executable=path, input=payload, env=env,
                                 capture_output=True, timeout=hook.get("timeout"))
        except subprocess.TimeoutExpired:
            raise FailedPrecondition(f"{what}: timed out after {hook['timeout']}s") from None
        except OSError as e:
            raise FailedPrecondition(f"{what}: {e.strerror}") from None
        if res.returncode != 0:
            err = res.stderr.decode(errors="replace").strip()
            raise FailedPrecondition(f"{what}: exited with status {res.returncode}"
                                     + (f": {err}" if err else ""))
