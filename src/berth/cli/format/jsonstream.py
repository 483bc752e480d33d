"""Print a daemon JSON-message stream like docker's jsonmessage (non-terminal mode).

``load``, ``import`` and ``pull`` answer with one JSON object per line; docker prints
``stream`` text as is, ``status`` lines with an optional ``id: `` prefix, skips progress
bars when not on a terminal, and stops at the first in-band error.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TextIO

from berth.client import message_error


def display(messages: Iterable[dict[str, Any]], out: TextIO, terminal: bool = False) -> None:
    """Write each message; raises the in-band error, if any, after flushing."""
    for msg in messages:
        err = message_error(msg)
        if err is not None:
            out.flush()
            raise err
        if "aux" in msg:
            continue
        line = _line(msg, terminal)
        if line is not None:
            out.write(line)
    out.flush()


def _line(msg: dict[str, Any], terminal: bool) -> str | None:
    progress = msg.get("progress") or msg.get("progressDetail")
    if progress and not terminal and not msg.get("stream") and msg.get("progress"):
        return None
    text = ""
    if msg.get("id"):
        text += f"{msg['id']}: "
    if msg.get("from"):
        text += f"(from {msg['from']}) "
    if msg.get("stream"):
        return text + str(msg["stream"])
    if terminal and msg.get("progress"):
        return text + f"{msg.get('status', '')} {msg['progress']}\n"
    return text + f"{msg.get('status', '')}\n"
