"""Snapshot and restore of the iptables tables a bridged dockerd edits.

dockerd 20.10 programs the firewall through ``iptables`` (``iptables-nft`` on Debian 12),
i.e. the nftables tables ``ip filter``, ``ip nat`` (and ``ip6 …`` with ``--ip6tables``).
Only those iptables-named tables are put back (deleted when they were not there before);
other tables, such as the ``berth`` table of a berthd, are left as they are, so firewall
work that others do meanwhile outside docker's tables survives the restore.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass

FAMILIES = ("ip", "ip6")
TABLES = ("filter", "nat", "mangle", "raw", "security")


def _nft(*args: str, stdin: str | None = None) -> str:
    return subprocess.run(["nft", *args], input=stdin, capture_output=True, text=True,
                          check=True).stdout


def iptables_tables() -> dict[tuple[str, str], str]:
    """``(family, name) -> nft list table`` text of the iptables tables present now."""
    found: dict[tuple[str, str], str] = {}
    for line in _nft("list", "tables").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "table" and parts[1] in FAMILIES \
                and parts[2] in TABLES:
            found[(parts[1], parts[2])] = _nft("list", "table", parts[1], parts[2])
    return found


def restore_script(before: dict[tuple[str, str], str], now: dict[tuple[str, str], str]) -> str:
    """The ``nft -f`` input that turns the tables in ``now`` back into ``before``."""
    lines: list[str] = []
    for key in sorted(set(before) | set(now)):
        if before.get(key) == now.get(key):
            continue
        if key in now:
            lines.append(f"delete table {key[0]} {key[1]}\n")
        if key in before:
            lines.append(before[key] if before[key].endswith("\n") else before[key] + "\n")
    return "".join(lines)


@dataclass
class RulesetSnapshot:
    """The iptables tables at one moment, restorable in one nft transaction."""

    tables: dict[tuple[str, str], str]

    @classmethod
    def take(cls) -> RulesetSnapshot:
        """Read the current iptables tables."""
        return cls(iptables_tables())

    def restore(self) -> None:
        """Delete what changed and load the snapshot's version, in one transaction."""
        script = restore_script(self.tables, iptables_tables())
        if script:
            _nft("-f", "-", stdin=script)
