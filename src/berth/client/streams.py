"""Reading streamed responses: JSON-message streams and raw byte streams.

The daemon streams JSON messages (load, import, pull) as concatenated JSON values, one
per line in practice; we decode them incrementally so progress shows as it arrives.
In-band errors (``{"error": …, "errorDetail": …}``) become :class:`StreamError`.
"""

from __future__ import annotations

from berth.errdefs import BerthError

TYPE_CHECKING = False
if TYPE_CHECKING:
    import json
    from collections.abc import Generator, Iterator
    from typing import IO, Any

    from berth.client.transport import Response

_CHUNK = 1 << 16


class StreamError(BerthError):
    """An error the daemon reported inside a 200 stream; printed bare, exit 1."""


def iter_json_messages(resp: Response) -> Iterator[dict[str, Any]]:
    """Yield each JSON value of a JSON stream as it is complete."""
    import json  # streams only (pull, load, import): not worth it at start-up

    decoder = json.JSONDecoder()
    buf = ""
    while True:
        data = resp.read1(_CHUNK)
        if not data:
            break
        buf += data.decode("utf-8", "replace")
        buf = yield from _drain(decoder, buf)
    rest = buf.strip()
    if rest:
        raise StreamError(f"invalid JSON in stream: {rest[:80]!r}")


def _drain(decoder: json.JSONDecoder, buf: str) -> Generator[dict[str, Any], None, str]:
    """Yield the complete values at the front of ``buf``; return the unparsed tail."""
    pos = 0
    while True:
        while pos < len(buf) and buf[pos] in " \t\r\n":
            pos += 1
        if pos >= len(buf):
            return ""
        try:
            value, end = decoder.raw_decode(buf, pos)
        except ValueError:
            return buf[pos:]
        if isinstance(value, dict):
            yield value
        pos = end


def copy_raw(resp: Response, out: IO[bytes]) -> int:
    """Copy a raw byte stream to ``out``; returns the byte count."""
    total = 0
    while True:
        data = resp.read1(_CHUNK)
        if not data:
            return total
        out.write(data)
        total += len(data)


def message_error(msg: dict[str, Any]) -> StreamError | None:
    """The in-band error of a message, if any."""
    detail = msg.get("errorDetail")
    if isinstance(detail, dict) and detail.get("message"):
        return StreamError(str(detail["message"]))
    if msg.get("error"):
        return StreamError(str(msg["error"]))
    return None
