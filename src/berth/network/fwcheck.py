"""Keeping berth's accepts in a foreign ``filter FORWARD`` chain (DESIGN.md §8).

A firewall that appears after berth set its bridges up (dockerd started later, an
iptables restore, a flush) has a FORWARD chain without berth's rules, and its DROP policy
then kills forwarded traffic silently. As netavark checks at every container set-up,
berth checks after every join — cheaply: only when the nftables generation (``nfgen``)
moved since the last check found everything in place (berth's own commits do not count),
in a background thread after a short delay (a burst of starts runs one check), without
the service's lock (a start never waits for it), and over nfnetlink (~0.2 ms; ``nft``
processes, ~5 ms of CPU each, only where nfnetlink cannot be read).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from typing import Any

from . import nfgen

log = logging.getLogger("berthd.network")
DELAY = 0.1  # seconds: joins within this window share one check


class ForwardCheck:
    def __init__(self, core: Any) -> None:
        self.core = core
        self.nf = nfgen.NfTables(core.config.host_netns)
        self._checked: int | None = None  # generation at which everything was in place
        self._timer: threading.Timer | None = None
        self._mutex = threading.Lock()

    def soon(self) -> None:
        """After a join: nothing when no nftables commit but berth's happened since the
        last good check, else one coalesced check in the background."""
        gen = self.nf.generation()
        with self._mutex:
            if gen is not None and gen == self._checked:
                return
            if self._timer is not None:
                return
            self._timer = threading.Timer(DELAY, self._run)
            self._timer.name, self._timer.daemon = "berth-forward-check", True
            self._timer.start()

    @contextlib.contextmanager
    def applying(self) -> Iterator[None]:
        """Around berth's own nft commit: when the generation moved by exactly that one
        commit from a checked state, the state is still checked (berth wrote it)."""
        before = self.nf.generation()
        yield
        after = self.nf.generation()
        with self._mutex:
            ours = before is not None and after == (before + 1) & 0xFFFFFFFF
            self._checked = after if ours and before == self._checked else None

    def _run(self) -> None:
        with self._mutex:
            self._timer = None
        try:
            self.check()
        except Exception:
            log.warning("checking berth's FORWARD accepts failed", exc_info=True)

    def check(self) -> bool:
        """Re-apply when berth's accepts are missing; True if it had to. Lists without
        the service's lock; re-checks when berth itself re-applied meanwhile."""
        core = self.core
        for _ in range(3):
            gen = self.nf.generation()
            with core.lock:
                applied = core._fw
            if applied is None or not applied[0]:  # nothing applied, or no bridge
                return False
            found = self.listing()
            if set(found) == set(applied[1]) and all(found.values()):
                with self._mutex:
                    self._checked = gen
                return False
            with core.lock:
                if core._fw != applied:
                    continue  # berth re-applied while this listed: look again
                log.info("berth's FORWARD accepts are missing (a firewall changed): "
                         "re-adding")
                core._fw = None
                core.sync_rules()
                return True
        return False

    def listing(self) -> dict[str, list[int]]:
        """{family with a ``filter FORWARD`` chain: handles of berth's rules there}, over
        nfnetlink, else with ``nft``."""
        comment = self.core.comment
        if not self.nf.broken:
            try:
                return {f: nfgen.berth_rules(self.nf, f, comment)
                        for f in nfgen.forward_families(self.nf)}
            except OSError:
                log.info("nfnetlink listing failed: using nft", exc_info=True)
                self.nf.broken = True
        return {f: self.core._berth_handles(f) for f in self.core.nft.forward_chain_families()}

    def close(self) -> None:
        with self._mutex:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
        self.nf.close()
