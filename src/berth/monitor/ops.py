"""The monitor.sock operations (docs/design/containers.md, "Monitor protocol").

``start`` releases the init; ``attach`` streams output and takes stdin; ``wait`` is
answered when the monitor finishes (exit.json is on disk by then); ``resize`` sets the
pty size; ``signal`` kills the init. The init is our child (or adopted: we are a
subreaper) and is reaped only by us, so its pid cannot be recycled while we signal it.
"""

from __future__ import annotations

import os

from berth.errdefs import BerthError, FailedPrecondition, InvalidArgument
from berth.monitor.records import error_reply

TYPE_CHECKING = False
if TYPE_CHECKING:
    from berth.monitor.conn import Conn
    from berth.monitor.loop import Monitor


def on_readable(mon: Monitor, conn: Conn) -> None:
    """Bytes (or EOF) from a client: the request line first, then stdin for attachers."""
    try:
        data = conn.sock.recv(1 << 16)
    except BlockingIOError:
        return
    except OSError:
        data = b""
    if not data:
        conn.reading = False
        _client_eof(mon, conn)
        return
    if conn.op:
        if conn.wants("stdin"):
            mon.feed_stdin(data)
        return
    try:
        if not conn.read_request(data):
            return
        dispatch(mon, conn)
    except BerthError as e:
        conn.send(error_reply(e), close=True)
        return
    if conn.inbuf and conn.wants("stdin"):
        mon.feed_stdin(bytes(conn.inbuf))
    conn.inbuf.clear()


def _client_eof(mon: Monitor, conn: Conn) -> None:
    if conn.op == "attach":
        if conn.wants("stdin") and mon.s.req.get("stdin_once"):
            mon.end_stdin()
        if conn.wants("stdout") or conn.wants("stderr"):
            return  # docker CLI half-closes at once when not sending stdin: keep writing
    mon._drop(conn)


def dispatch(mon: Monitor, conn: Conn) -> None:
    op, req = conn.op, conn.req
    if op == "wait":
        return  # answered by Monitor._finish, after exit.json is written
    if op == "start":
        conn.send({"ok": True, "pid": _start(mon)}, close=True)
    elif op == "attach":
        if mon.exit is not None and not mon.outputs:
            raise FailedPrecondition(f"container {mon.s.cid}: is not running")
        conn.send({"ok": True})
    elif op == "resize":
        _resize(mon, req)
        conn.send({"ok": True}, close=True)
    elif op == "signal":
        _signal(mon, req.get("signal"))
        conn.send({"ok": True}, close=True)
    else:
        raise InvalidArgument(f"unknown monitor op {op!r}")


def _start(mon: Monitor) -> int:
    return mon.start()


def _resize(mon: Monitor, req: dict[str, object]) -> None:
    h, w = req.get("height"), req.get("width")
    if not (isinstance(h, int) and isinstance(w, int) and 0 <= h < 65536 and 0 <= w < 65536):
        raise InvalidArgument(f"resize: bad size height={h!r} width={w!r}")
    if not mon.stdio.tty:
        raise FailedPrecondition(f"container {mon.s.cid}: has no TTY to resize")
    if mon.stdio.out is None or mon.stdio.out not in mon.outputs:
        raise FailedPrecondition(f"container {mon.s.cid}: is not running")
    from berth.runtime.tty import set_size
    set_size(mon.stdio.out, h, w)


def _signal(mon: Monitor, sig: object) -> None:
    if not isinstance(sig, int) or not 0 < sig < 65:
        raise InvalidArgument(f"signal: bad signal number {sig!r}")
    if mon.exit is not None or mon.init_pid <= 0:  # kill(0) would hit our own group
        raise FailedPrecondition(f"container {mon.s.cid}: is not running")
    try:
        os.kill(mon.init_pid, sig)
    except ProcessLookupError:
        raise FailedPrecondition(f"container {mon.s.cid}: is not running") from None
