"""Snapshot and restore of the host's nftables ruleset around a dockerd that edits it."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass


@dataclass
class RulesetSnapshot:
    """The output of ``nft list ruleset`` at one moment, restorable with ``nft -f``."""

    text: str

    @classmethod
    def take(cls) -> RulesetSnapshot:
        """Read the current ruleset."""
        out = subprocess.run(["nft", "list", "ruleset"], capture_output=True, text=True,
                             check=True).stdout
        return cls(out)

    def restore(self) -> None:
        """Flush and load the snapshot in one nft transaction."""
        subprocess.run(["nft", "-f", "-"], input="flush ruleset\n" + self.text, text=True,
                       check=True, capture_output=True)
