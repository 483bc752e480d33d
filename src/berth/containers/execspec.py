"""The OCI process of an exec: the container's process (its bundle's config.json) with
the exec's command, environment, working directory, user, TTY and privileges.

Why from config.json and not the record: the bundle holds what the container really runs
with (capabilities, rlimits, no-new-privileges, AppArmor, the HOME specgen resolved), so
an exec gets the same confinement unless it asks for ``Privileged``. A ``User`` is
resolved against the container's own /etc/passwd and /etc/group (through the mounted
rootfs, symlink-safe), and HOME follows it unless the exec's Env sets one, as runc does.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from berth.errdefs import FailedPrecondition
from berth.runtime.execproc import exec_config_process

from .execs import ExecRecord
from .specgen import process as proc
from .specgen import users


def load_spec(state_dir: Path) -> dict[str, Any]:
    try:
        spec: dict[str, Any] = json.loads((state_dir / "config.json").read_bytes())
    except (OSError, ValueError) as e:
        raise FailedPrecondition(f"cannot read the container's bundle: {e}") from None
    return spec


def build(spec: dict[str, Any], rootfs: Path, ex: ExecRecord) -> dict[str, Any]:
    """The ``process`` object ``berth.runtime.exec_process`` takes."""
    base_env = list((spec.get("process") or {}).get("env") or [])
    if ex.tty and not any(e.startswith("TERM=") for e in base_env + ex.env):
        base_env.append("TERM=xterm")
    p = exec_config_process(spec, list(ex.argv), env=proc.merge_env(base_env, ex.env),
                            cwd=ex.workdir or None, tty=ex.tty)
    if ex.user:
        u = users.resolve(rootfs, ex.user)
        p["user"] = {"uid": u.uid, "gid": u.gid}
        if u.additional_gids:
            p["user"]["additionalGids"] = u.additional_gids
        if not any(e.startswith("HOME=") for e in ex.env):
            p["env"] = proc.merge_env(p["env"], [f"HOME={u.home}"])
    if ex.privileged:
        caps = p.get("capabilities") or {}
        bounding = list(caps.get("bounding") or [])
        p["capabilities"] = {k: list(bounding) for k in
                             ("bounding", "effective", "permitted", "inheritable")}
        p["noNewPrivileges"] = False
    return p
