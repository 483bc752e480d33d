"""OCI ``linux.resources.devices`` rules: validation and the v1 ``devices.allow/deny`` text.

cgroup v2 has no device files: access is decided by an eBPF program attached to the cgroup.
berth does not build that program yet, so on v2 ``v2_check`` accepts only rule lists that grant
nothing beyond the default device set and says loudly that they are not enforced.
"""

from __future__ import annotations

from berth.errdefs import InvalidArgument, NotImplementedYet
from berth.runtime.log import LazyLogger

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

log = LazyLogger(__name__)

# (type, major, minor) that every container gets (runc's AllowedDevices): null, zero, full,
# tty, urandom, random, ptmx, console, pts/*; plus mknod of anything.
DEFAULT_ALLOWED = {("c", 1, 3), ("c", 1, 5), ("c", 1, 7), ("c", 5, 0), ("c", 1, 9), ("c", 1, 8),
                   ("c", 5, 2), ("c", 5, 1), ("c", 136, -1), ("c", 10, 200)}


def rule_text(i: int, rule: dict[str, Any]) -> tuple[bool, str]:
    """(allow, ``"c 1:3 rwm"``) for v1, validating type, numbers and access letters."""
    field = f"linux.resources.devices[{i}]"
    allow = rule.get("allow")
    if not isinstance(allow, bool):
        raise InvalidArgument(f"{field}.allow: must be true or false")
    typ = rule.get("type", "a") or "a"
    if typ not in ("a", "b", "c"):
        raise InvalidArgument(f"{field}.type: {typ!r} is not a, b or c")
    access = rule.get("access", "rwm") or "rwm"
    if not set(access) <= set("rwm"):
        raise InvalidArgument(f"{field}.access: {access!r} must use only r, w, m")
    major, minor = _num(rule.get("major"), f"{field}.major"), _num(
        rule.get("minor"), f"{field}.minor")
    if typ == "a":
        return allow, "a"
    return allow, f"{typ} {major}:{minor} {access}"


def _num(v: Any, field: str) -> str:
    if v is None or v == -1:
        return "*"
    if not isinstance(v, int) or v < 0:
        raise InvalidArgument(f"{field}: {v!r} is not a device number")
    return str(v)


def v2_check(rules: list[dict[str, Any]]) -> None:
    """Refuse what only an eBPF device program could enforce; warn about the rest."""
    for i, rule in enumerate(rules):
        allow, text = rule_text(i, rule)
        if not allow:
            continue
        typ, major, minor = rule.get("type", "a"), rule.get("major"), rule.get("minor")
        access = rule.get("access", "rwm") or "rwm"
        if access == "m" or (typ, major, -1 if minor is None else minor) in DEFAULT_ALLOWED:
            continue
        raise NotImplementedYet(
            f"linux.resources.devices[{i}] ({text}): extra device access needs a cgroup v2 "
            "eBPF device program, which berth does not build yet (see docs/design/cgroups.md)")
    if rules:
        log.warning("cgroup v2: device rules are not enforced (no eBPF device program yet); "
                    "only the default device nodes are created")
