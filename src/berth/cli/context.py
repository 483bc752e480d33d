"""Per-invocation state shared by commands: global flags and the lazily made client."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from berth.client import APIClient


@dataclass
class Globals:
    """Global flags (``-H``, ``-D``, ``-l``, ``--config``)."""

    host: str | None = None
    debug: bool = False
    log_level: str = "info"
    config: str | None = None
    _client: Any = field(default=None, repr=False)

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
