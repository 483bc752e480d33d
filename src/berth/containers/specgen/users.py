"""``--user`` resolution against the image's ``/etc/passwd`` and ``/etc/group``.

docker accepts ``name``, ``uid``, ``name:group``, ``uid:gid`` (and mixes). Names must
exist in the container's files; bare numbers need not. Supplementary groups are the
primary group, the groups that list the user as a member, then ``GroupAdd`` (moby puts
the primary gid first in the spec's additionalGids: ``id`` shows ``groups=1000``).
Messages follow moby's (``unable to find user x: no matching entries in passwd file``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from berth.errdefs import BerthError

from .inroot import read_file


@dataclass
class ExecUser:
    uid: int
    gid: int
    home: str = "/"
    additional_gids: list[int] = field(default_factory=list)


def _rows(root: Path, rel: str) -> list[list[str]]:
    data = read_file(root, rel)
    if data is None:
        return []
    rows = []
    for line in data.decode(errors="replace").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            rows.append(line.split(":"))
    return rows


def _num(s: str) -> int | None:
    return int(s) if s.isdigit() else None


def resolve(root: Path, spec: str, group_add: list[str] | None = None) -> ExecUser:
    """uid, gid, home and groups for ``spec`` ("" means root) inside ``root``."""
    user, _, group = (spec or "").partition(":")
    passwd = [r for r in _rows(root, "etc/passwd") if len(r) >= 4]
    groups = [r for r in _rows(root, "etc/group") if len(r) >= 3]
    uid, gid, home, name = _user(passwd, user or "0", spec)
    if group:
        gid = _group(groups, group, f"unable to find group {group}: no matching entries "
                                    "in group file")
    extra = [int(r[2]) for r in groups if name and r[2].isdigit()
             and name in (r[3].split(",") if len(r) > 3 else [])]
    for name_or_id in group_add or []:
        extra.append(_group(groups, name_or_id, f"Unable to find group {name_or_id}"))
    unique: list[int] = []
    for g in [gid, *extra]:
        if g not in unique:
            unique.append(g)
    return ExecUser(uid, gid, home, unique)


def _user(passwd: list[list[str]], user: str, spec: str) -> tuple[int, int, str, str]:
    n = _num(user)
    for r in passwd:
        if (n is not None and r[2] == str(n)) or (n is None and r[0] == user):
            home = r[5] if len(r) > 5 else "/"
            return int(r[2]), _num(r[3]) or 0, home or "/", r[0]
    if n is None:
        raise BerthError(f"unable to find user {user}: no matching entries in passwd file")
    if n > 2**31 - 1:
        raise BerthError(f"uids and gids must be in range 0-{2**31 - 1}")
    return n, 0, "/", ""


def _group(groups: list[list[str]], group: str, missing: str) -> int:
    n = _num(group)
    if n is not None:
        return n
    for r in groups:
        if r[0] == group and r[2].isdigit():
            return int(r[2])
    raise BerthError(missing)
