"""Work done later on one shared thread, off the caller's path: networking deletes the
host end of a veth whose namespace something else still held at a container's exit
(``network.endpoints``, 2 s later); ``fsutil.remove_later`` deletes removed trees (at once).

Each user has one ``Deferred``; its thread starts on first use, waits for the earliest
deadline and runs what is due, in order. (The veths used to get a ``threading.Timer`` per
exit: a thread start on every exit path, ~0.7 ms on a busy 2-CPU machine.)
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import threading
import time
from collections.abc import Callable


class Deferred:
    def __init__(self, delay: float, name: str = "berth-deferred") -> None:
        self.delay, self.name = delay, name
        self._due: list[tuple[float, int, Callable[[], object]]] = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closed = False

    def later(self, fn: Callable[[], object]) -> None:
        """Run ``fn`` ``delay`` seconds from now (errors are ignored: best effort)."""
        with self._cond:
            if self._closed:
                return
            heapq.heappush(self._due, (time.monotonic() + self.delay, next(self._seq), fn))
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name=self.name,
                                                daemon=True)
                self._thread.start()
            self._cond.notify()

    def pending(self) -> int:
        with self._cond:
            return len(self._due)

    def close(self) -> None:
        """Drop what is pending (its owner finds strays on the next start) and stop."""
        with self._cond:
            self._closed = True
            self._due.clear()
            self._cond.notify()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(5)

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._closed and (not self._due or
                                            self._due[0][0] > time.monotonic()):
                    wait = self._due[0][0] - time.monotonic() if self._due else None
                    self._cond.wait(wait)
                if self._closed:
                    return
                _, _, fn = heapq.heappop(self._due)
            with contextlib.suppress(Exception):
                fn()
