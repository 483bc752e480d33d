"""One client of ``monitor.sock``: a JSON request line, then the op's traffic (sans-IO-ish).

The loop owns polling; a ``Conn`` only buffers. ``head`` collects the first line;
``attach`` connections then carry stdin in and framed output out; ``wait`` connections
get one line when the container exits. Output framing is docker's stdcopy: an 8-byte
header (stream, 0, 0, 0, big-endian length) before each chunk, unless the container has
a TTY (raw bytes).
"""

from __future__ import annotations

import json

from berth._util import stdcopy
from berth.errdefs import InvalidArgument
from berth.monitor.records import MAX_LINE, encode

TYPE_CHECKING = False
if TYPE_CHECKING:
    import _socket
    from typing import Any

STREAM_IDS = {"stdout": stdcopy.STDOUT, "stderr": stdcopy.STDERR}
MAX_PENDING = 4 << 20  # an attacher this far behind is dropped rather than block the log


def frame(stream: str, data: bytes) -> bytes:
    """Output of the named stream as docker's stdcopy frame."""
    return stdcopy.frame(STREAM_IDS[stream], data)


class Conn:
    def __init__(self, sock: _socket.socket) -> None:
        sock.setblocking(False)
        self.sock = sock
        self.fd = sock.fileno()
        self.inbuf = bytearray()
        self.outbuf = bytearray()
        self.op = ""               # set once the request line is in
        self.req: dict[str, Any] = {}
        self.reading = True        # False after the client's EOF
        self.close_after_flush = False

    def read_request(self, data: bytes) -> bool:
        """Collect the first line; True once ``req`` is parsed (extra bytes stay in inbuf)."""
        self.inbuf += data
        nl = self.inbuf.find(b"\n")
        if nl < 0:
            if len(self.inbuf) > MAX_LINE:
                raise InvalidArgument("monitor request line too long")
            return False
        line, rest = bytes(self.inbuf[:nl]), bytes(self.inbuf[nl + 1:])
        self.inbuf = bytearray(rest)
        try:
            req = json.loads(line)
        except ValueError:
            raise InvalidArgument("monitor request is not JSON") from None
        if not isinstance(req, dict) or not isinstance(req.get("op"), str):
            raise InvalidArgument("monitor request needs an \"op\"")
        self.req, self.op = req, req["op"]
        return True

    def wants(self, stream: str) -> bool:
        return self.op == "attach" and bool(self.req.get(stream))

    def send(self, msg: dict[str, Any], close: bool = False) -> None:
        self.queue(encode(msg))
        self.close_after_flush = self.close_after_flush or close

    def queue(self, data: bytes) -> bool:
        """Buffer output; False if the client is hopelessly behind (drop it)."""
        self.outbuf += data
        return len(self.outbuf) <= MAX_PENDING

    def flush(self) -> bool:
        """Write what the socket takes; False when the connection is finished or broken."""
        try:
            while self.outbuf:
                n = self.sock.send(self.outbuf)
                del self.outbuf[:n]
        except BlockingIOError:
            return True
        except OSError:
            return False
        return not self.close_after_flush

    def flush_blocking(self, timeout: float) -> None:
        """Last words before the monitor exits: wait (briefly) until the client has them."""
        try:
            self.sock.settimeout(timeout)
            self.sock.sendall(self.outbuf)
        except OSError:
            pass
        self.outbuf.clear()

    def close(self) -> None:
        self.sock.close()
