"""Keeping berth's accepts in a foreign ``filter FORWARD`` chain (DESIGN.md §8).

A firewall that appears after berth set its bridges up (dockerd started later, an
iptables restore, a flush) has a FORWARD chain without berth's rules, and its DROP policy
then kills forwarded traffic silently. As netavark checks at every container set-up,
berth checks after every join — in a background thread, so a start pays nothing — and
regenerates its rules when the chains or the rules it put there are not what it applied.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

log = logging.getLogger("berthd.network")


class ForwardCheck:
    def __init__(self, core: Any) -> None:
        self.core = core
        self._pending = False
        self._mutex = threading.Lock()

    def soon(self) -> None:
        """Check once more after the current one (coalesced: one thread at a time)."""
        with self._mutex:
            if self._pending:
                return
            self._pending = True
        threading.Thread(target=self._run, name="berth-forward-check", daemon=True).start()

    def _run(self) -> None:
        with self._mutex:
            self._pending = False
        try:
            self.check()
        except Exception:
            log.warning("checking berth's FORWARD accepts failed", exc_info=True)

    def check(self) -> bool:
        """Re-apply when berth's accepts are missing; True if it had to."""
        core = self.core
        with core.lock:
            applied = core._fw
            if applied is None or not applied[0]:  # nothing applied, or no bridge
                return False
            fams = core.nft.forward_chain_families()
            if set(fams) == set(applied[1]) and all(core._berth_handles(f) for f in fams):
                return False
            log.info("berth's FORWARD accepts are missing (a firewall changed): re-adding")
            core._fw = None
            core.sync_rules()
            return True
