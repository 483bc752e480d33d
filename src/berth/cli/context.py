"""Per-invocation state shared by commands: global flags and the lazily made client."""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # ``typing`` costs ~3 ms (more with ``re``) at every start
if TYPE_CHECKING:
    from typing import Any

    from berth.client import APIClient


class Globals:
    """Global flags (``-H``, ``-D``, ``-l``, ``--config``); a plain class because importing
    ``dataclasses`` (and with it ``inspect``) costs ~10 ms at every start."""

    def __init__(self, host: str | None = None, debug: bool = False, log_level: str = "info",
                 config: str | None = None) -> None:
        self.host, self.debug, self.log_level, self.config = host, debug, log_level, config
        self._client: Any = None

    def client(self) -> APIClient:
        """The API client for the selected daemon (made on first use)."""
        if self._client is None:
            from berth.client import APIClient, resolve_host

            self._client = APIClient(resolve_host(self.host))
        return self._client


def out(text: str) -> None:
    """Write to stdout without adding a newline."""
    sys.stdout.write(text)


def err(text: str) -> None:
    sys.stderr.write(text)
