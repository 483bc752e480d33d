"""docker's json-file format: one ``{"log","stream","time"}`` object per line.

Encoding matches moby's ``jsonlog``: invalid UTF-8 becomes U+FFFD, ``<``, ``>``, ``&``,
U+2028 and U+2029 are ``\\u`` escaped, other non-ASCII is written as UTF-8, and ``time``
is RFC3339Nano in UTC. A partial message is simply one whose ``log`` lacks the newline.
"""

from __future__ import annotations

import json

from berth.monitor.logs.timefmt import format_ns, parse_ns

TYPE_CHECKING = False
if TYPE_CHECKING:
    from berth.monitor.logs.rotate import RotatingFile

_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028",
            "\u2029": "\\u2029"}
_TABLE = str.maketrans(_ESCAPES)


def encode(stream: str, data: bytes, time_ns: int) -> bytes:
    text = json.dumps(data.decode("utf-8", "replace"), ensure_ascii=False).translate(_TABLE)
    return (f'{{"log":{text},"stream":"{stream}","time":"{format_ns(time_ns)}"}}\n'
            .encode())


def decode(line: bytes) -> tuple[str, bytes, int, bool] | None:
    """(stream, message, time_ns, partial) or None for a torn/garbled line."""
    try:
        obj = json.loads(line)
        msg = obj["log"].encode()
        return obj["stream"], msg, parse_ns(obj["time"]), not msg.endswith(b"\n")
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


class JsonFileWriter:
    def __init__(self, out: RotatingFile) -> None:
        self.out = out

    def write(self, stream: str, data: bytes, partial: bool, time_ns: int) -> None:
        self.out.write(encode(stream, data, time_ns))

    def close(self) -> None:
        self.out.close()
