"""What the container service needs from its collaborators (structural types)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

Publish = Callable[[str, str, str, dict[str, str]], Any]  # (type, action, id, attrs)


class Spawner(Protocol):
    """berth.monitor's spawner client: one JSON request → the spawner's reply dict
    (``{"ok": true, "monitor_pid"}`` or ``{"ok": false, "error", "exit_code"}``); an
    implementation may raise a BerthError carrying ``exit_code`` instead."""

    async def spawn(self, request: dict[str, Any]) -> dict[str, Any]: ...
