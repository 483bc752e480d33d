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

import array
import json
import socket
from typing import Any

from berth.errdefs import BerthError


class ChildError(BerthError):
    """The container process failed before execve; ``code`` is its suggested exit status."""

    def __init__(self, msg: str, code: int = 1) -> None:
        super().__init__(msg)
        self.code = code


class Channel:
    """One end of a SEQPACKET socketpair carrying JSON messages and fds."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock

    @classmethod
    def pair(cls) -> tuple[Channel, Channel]:
        a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        return cls(a), cls(b)

    def send(self, kind: str, fds: list[int] | None = None, **fields: Any) -> None:
        data = json.dumps({"t": kind, **fields}).encode()
        if fds:
            socket.send_fds(self.sock, [data], fds)
        else:
            self.sock.send(data)

    def recv(self) -> tuple[dict[str, Any], list[int]]:
        """Next message and its fds; ``{"t": "eof"}`` when the other side closed."""
        fds = array.array("i")
        data, anc, _flags, _addr = self.sock.recvmsg(65536, socket.CMSG_SPACE(4 * 4))
        for level, typ, payload in anc:
            if level == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
                fds.frombytes(payload[: len(payload) - len(payload) % fds.itemsize])
        if not data:
            return {"t": "eof"}, list(fds)
        return json.loads(data), list(fds)

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
