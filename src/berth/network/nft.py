"""Running nft: one ``nft -j -f -`` batch per change (atomic), in the host namespace.

Besides its own tables berth touches one thing: when an ``ip``/``ip6 filter FORWARD``
chain exists (Docker's iptables-nft, policy DROP), it inserts accept rules for its
bridges there, comment "berth", and removes exactly those again (DESIGN.md §8).
"""

from __future__ import annotations

import json
import subprocess
from typing import Any

from berth import errdefs

from . import netns


class Nft:
    def __init__(self, binary: str = "nft", host_netns: str | None = None) -> None:
        self.binary, self.host_netns = binary, host_netns

    def run(self, batch: list[dict[str, Any]]) -> None:
        """Apply a batch atomically; raise with nft's message on failure."""
        if not batch:
            return
        self._nft(["-j", "-f", "-"], json.dumps({"nftables": batch}))

    def list_json(self, *what: str) -> list[dict[str, Any]]:
        """``nft -j list …`` objects; [] when the object does not exist."""
        try:
            out = self._nft(["-j", "list", *what], None)
        except errdefs.BerthError:
            return []
        return list(json.loads(out or "{}").get("nftables", []))

    def forward_chain_families(self) -> list[str]:
        """Families whose ``filter`` table has a FORWARD base chain."""
        fams = []
        for fam in ("ip", "ip6"):
            objs = self.list_json("chain", fam, "filter", "FORWARD")
            if any("chain" in o for o in objs):
                fams.append(fam)
        return fams

    def _nft(self, args: list[str], stdin: str | None) -> str:
        def call() -> subprocess.CompletedProcess[str]:
            return subprocess.run([self.binary, *args], input=stdin, capture_output=True,
                                  text=True, check=False)

        try:
            res = netns.run_in(self.host_netns, call)
        except FileNotFoundError:
            raise errdefs.FailedPrecondition(f"nftables: {self.binary} not found") from None
        if res.returncode != 0:
            raise errdefs.BerthError(f"nftables: {res.stderr.strip() or res.stdout.strip()}")
        return res.stdout


def delete_rule(family: str, handle: int) -> dict[str, Any]:
    return {"delete": {"rule": {"family": family, "table": "filter", "chain": "FORWARD",
                                "handle": handle}}}
