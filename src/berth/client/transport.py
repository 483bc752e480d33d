"""A minimal HTTP/1.1 client written on ``socket`` directly, for unix sockets and TCP.

Why not ``http.client``: importing it pulls ``email`` (and often ``ssl``), ~50 ms of the
CLI's start-up (and ``_socket``, not ``socket``: that one imports ``enum`` and
``selectors``, ~3 ms), and ``berth run`` must start several times faster than docker.  The
Engine API needs little of HTTP: keep-alive requests, ``Content-Length``/chunked/until-EOF
response bodies, chunked request bodies (load, import, cp), and the connection hijack
(``Upgrade: tcp`` → ``101``) that attach and exec use, after which the socket is a raw
byte stream both ways.  :class:`Response` keeps ``http.client``'s small surface
(``status``, ``read``, ``read1``, ``getheader``, ``getheaders``) so callers don't care.
"""

from __future__ import annotations

import _socket
import io

from berth.client.hosts import Endpoint

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import IO, Any

_CHUNK = 1 << 16


class RemoteDisconnected(ConnectionResetError):
    """The server closed the connection before answering (stale keep-alive)."""


class ProtocolError(OSError):
    """The server's answer is not HTTP we understand."""


class Response:
    """One response; its body is read from the connection's buffered reader."""

    def __init__(self, conn: Connection, method: str) -> None:
        self.conn = conn
        rfile = conn.rfile
        line = rfile.readline(_CHUNK)
        if not line:
            raise RemoteDisconnected("Remote end closed connection without response")
        parts = line.decode("latin-1").rstrip("\r\n").split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/"):
            raise ProtocolError(f"bad status line: {line!r}")
        self.version = parts[0]
        self.status = int(parts[1])
        self.reason = parts[2] if len(parts) > 2 else ""
        self.headers: list[tuple[str, str]] = []
        while True:
            h = rfile.readline(_CHUNK)
            if h in (b"\r\n", b"\n", b""):
                break
            k, _, v = h.decode("latin-1").partition(":")
            self.headers.append((k.strip(), v.strip()))
        self._h = {k.lower(): v for k, v in self.headers}
        te = self._h.get("transfer-encoding", "").lower()
        self.chunked = "chunked" in te
        self.length: int | None = None
        self.will_close = (self._h.get("connection", "").lower() == "close"
                           or self.version == "HTTP/1.0")
        if method == "HEAD" or self.status in (101, 204, 304) or 100 <= self.status < 200:
            self.length = 0
        elif not self.chunked and "content-length" in self._h:
            self.length = int(self._h["content-length"])
        elif not self.chunked:
            self.will_close = True  # body runs until EOF
        self._chunk_left = 0
        self._eof = self.length == 0
        if self._eof:
            self._done()

    def getheader(self, name: str, default: str | None = None) -> str | None:
        return self._h.get(name.lower(), default)

    def getheaders(self) -> list[tuple[str, str]]:
        return list(self.headers)

    def _done(self) -> None:
        self._eof = True
        if self.will_close and self.status != 101:
            self.conn.close()

    def read1(self, n: int = _CHUNK) -> bytes:
        """Up to ``n`` bytes, whatever is available (at most one socket read)."""
        if self._eof:
            return b""
        rfile = self.conn.rfile
        if self.chunked:
            if self._chunk_left == 0:
                size = rfile.readline(_CHUNK).split(b";")[0].strip()
                if not size:
                    raise ProtocolError("truncated chunked body")
                self._chunk_left = int(size, 16)
                if self._chunk_left == 0:
                    while rfile.readline(_CHUNK) not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    self._done()
                    return b""
            data = rfile.read1(min(n, self._chunk_left))
            if not data:
                raise ProtocolError("truncated chunked body")
            self._chunk_left -= len(data)
            if self._chunk_left == 0:
                rfile.readline(_CHUNK)
            return data
        want = n if self.length is None else min(n, self.length)
        data = rfile.read1(want)
        if self.length is not None:
            if not data:
                raise ProtocolError("truncated body")
            self.length -= len(data)
            if self.length == 0:
                self._done()
        elif not data:
            self._done()
        return data

    def read(self, n: int = -1) -> bytes:
        """``n`` bytes (fewer at EOF), or the whole rest of the body."""
        out = bytearray()
        while n < 0 or len(out) < n:
            data = self.read1(_CHUNK if n < 0 else n - len(out))
            if not data:
                break
            out += data
        return bytes(out)

    def upgrade(self) -> None:
        """Turn the rest of the connection into a raw stream (after ``101``, or a 200
        from a daemon that ignores ``Upgrade``): reads run until EOF."""
        self.chunked = False
        self.length = None
        self._eof = False

    def close_write(self) -> None:
        """Half-close our side (stdin EOF) and keep reading the output."""
        if self.conn.sock is not None:
            try:
                self.conn.sock.shutdown(_socket.SHUT_WR)
            except OSError:
                pass

    def send(self, data: bytes) -> None:
        """Write raw bytes on a hijacked connection."""
        assert self.conn.sock is not None
        self.conn.sock.sendall(data)

    def close(self) -> None:
        """Abandon the body: the connection can't be reused for another request."""
        if not self._eof:
            self._eof = True
            self.conn.close()


class _SocketReader(io.RawIOBase):
    """What ``socket.makefile("rb")`` wraps in a BufferedReader, for a ``_socket``; closing
    it leaves the socket to :meth:`Connection.close`."""

    def __init__(self, sock: _socket.socket) -> None:
        self._sock = sock

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        return self._sock.recv_into(b)


class Connection:
    """One HTTP/1.1 connection, opened on first request, reused while kept alive."""

    def __init__(self, endpoint: Endpoint, timeout: float | None = None) -> None:
        self.endpoint = endpoint
        self.timeout = timeout
        self.sock: _socket.socket | None = None
        self.rfile: Any = None

    def connect(self) -> None:
        ep = self.endpoint
        if ep.scheme == "unix":
            sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
            addr: Any = ep.path
        else:
            sock = _socket.socket(_socket.AF_INET6 if ":" in ep.host else _socket.AF_INET,
                                  _socket.SOCK_STREAM)
            addr = (ep.host, ep.port)
        sock.settimeout(self.timeout)
        try:
            sock.connect(addr)
        except OSError:
            sock.close()
            raise
        self.sock = sock
        self.rfile = io.BufferedReader(_SocketReader(sock), _CHUNK)

    def close(self) -> None:
        if self.sock is not None:
            try:
                self.rfile.close()
            finally:
                self.sock.close()
        self.sock = self.rfile = None

    def request(self, method: str, url: str, body: bytes | IO[bytes] | Iterable[bytes] | None,
                headers: dict[str, str]) -> Response:
        """Send one request and read the response head."""
        if self.sock is None:
            self.connect()
        assert self.sock is not None
        host = "localhost" if self.endpoint.scheme == "unix" else self.endpoint.host
        lines = [f"{method} {url} HTTP/1.1", f"Host: {host}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        if body is None:
            if method in ("POST", "PUT"):
                lines.append("Content-Length: 0")
        elif isinstance(body, bytes | bytearray):
            lines.append(f"Content-Length: {len(body)}")
        else:
            lines.append("Transfer-Encoding: chunked")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        if body is None:
            self.sock.sendall(head)
        elif isinstance(body, bytes | bytearray):
            self.sock.sendall(head + body)
        else:
            self.sock.sendall(head)
            for chunk in _chunks(body):
                if chunk:
                    self.sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.sock.sendall(b"0\r\n\r\n")
        return Response(self, method)


def _chunks(body: IO[bytes] | Iterable[bytes]) -> Iterable[bytes]:
    read = getattr(body, "read", None)
    if read is None:
        yield from body
        return
    while True:
        data = read(_CHUNK)
        if not data:
            return
        yield data


def connect(endpoint: Endpoint, timeout: float | None = None) -> Connection:
    """A fresh (not yet connected) connection to the endpoint."""
    return Connection(endpoint, timeout)
