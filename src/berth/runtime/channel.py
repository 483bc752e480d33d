"""The typed message channel between the runtime and its children (SOCK_SEQPACKET).

Each datagram is one JSON object ``{"t": kind, ...}``; file descriptors ride along
with SCM_RIGHTS. Kinds, in the order a create sends them:

- parent → child: ``go`` (cgroup joined), ``mapped`` (uid/gid maps written), ``hooked``
- child → parent: ``userns`` (please write my maps), ``init`` (pid of the container
  init), ``hooks`` (run prestart/createRuntime now), ``console`` (+fd: pty master),
  ``ready`` (blocked on the exec fifo, or about to execve), ``error`` (``msg``, ``code``)

Every wait accepts ``error`` from the other side and raises it, so a failure before
execve reaches the caller as its own message.
"""

from __future__ import annotations

import _socket
import struct

from berth._util import fastjson as json
from berth.errdefs import BerthError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class ChildError(BerthError):
    """The container process failed before execve; ``code`` is its suggested exit status."""

    def __init__(self, msg: str, code: int = 1) -> None:
        super().__init__(msg)
        self.code = code


class Channel:
    """One end of a SEQPACKET socketpair carrying JSON messages and fds."""

    def __init__(self, sock: _socket.socket) -> None:
        self.sock = sock

    @classmethod
    def pair(cls) -> tuple[Channel, Channel]:
        # _socket, not socket: the wrapper module's enum set-up costs ~2 ms of startup
        a, b = _socket.socketpair(_socket.AF_UNIX, _socket.SOCK_SEQPACKET, 0)
        return cls(a), cls(b)

    def send(self, kind: str, fds: list[int] | None = None, **fields: Any) -> None:
        data = json.dumps({"t": kind, **fields}).encode()
        if fds:
            # struct, not array: array imports collections.abc (~2 ms of CLI start)
            anc = [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, struct.pack(f"{len(fds)}i", *fds))]
            self.sock.sendmsg([data], anc)
        else:
            self.sock.send(data)

    def recv(self) -> tuple[dict[str, Any], list[int]]:
        """Next message and its fds; ``{"t": "eof"}`` when the other side closed."""
        fds: list[int] = []
        data, anc, _flags, _addr = self.sock.recvmsg(65536, _socket.CMSG_SPACE(4 * 4))
        for level, typ, payload in anc:
            if level == _socket.SOL_SOCKET and typ == _socket.SCM_RIGHTS:
                n = len(payload) // 4
                fds.extend(struct.unpack(f"{n}i", payload[: 4 * n]))
        if not data:
            return {"t": "eof"}, fds
        return json.loads(data), fds

    def expect(self, kind: str) -> dict[str, Any]:
        """Wait for ``kind``; raise the peer's error, or a clear one on EOF."""
        msg, _ = self.recv()
        if msg["t"] == kind:
            return msg
        if msg["t"] == "error":
            raise ChildError(msg["msg"], msg.get("code", 1))
        raise ChildError(f"expected {kind!r} from the runtime, got {msg['t']!r}")

    def fail(self, msg: str, code: int = 1) -> None:
        """Report an error to the peer, ignoring a peer that is already gone."""
        try:
            self.send("error", msg=msg, code=code)
        except OSError:
            pass

    def fileno(self) -> int:
        return self.sock.fileno()

    def close(self) -> None:
        self.sock.close()
