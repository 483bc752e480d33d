"""berthd's side of monitor.sock, plus the files a monitor leaves (exit.json, monitor.pid).

Each helper opens one connection and sends one request line (docs/design/containers.md).
A socket path too long for ``sun_path`` is reached through ``/proc/self/fd/<dir>/``.
``wait`` on a monitor that died without an answer falls back to exit.json, or exit code
255 with an error, as the contract says.
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

from berth.errdefs import FailedPrecondition, Unavailable
from berth.monitor import records

TYPE_CHECKING = False
if TYPE_CHECKING:
    import asyncio
    from typing import Any

read_exit = records.read_exit


def monitor_alive(state_dir: Path) -> bool:
    """True if monitor.pid names a live process started when that file says (not a reuse)."""
    rec = records.read_pid(Path(state_dir))
    if rec is None:
        return False
    return records.start_time(rec[0]) == rec[1]


def _connect(path: Path) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
    try:
        if len(os.fsencode(path)) < 100:
            sock.connect(os.fspath(path))
        else:
            dfd = os.open(path.parent, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
            try:
                sock.connect(f"/proc/self/fd/{dfd}/{path.name}")
            finally:
                os.close(dfd)
    except FileNotFoundError:
        sock.close()
        raise FailedPrecondition(f"{path}: no monitor is listening (container exited?)")\
            from None
    except OSError as e:
        sock.close()
        raise Unavailable(f"{path}: cannot reach the monitor: {e.strerror}") from None
    sock.setblocking(False)
    return sock


async def _open(sock_path: Path, req: dict[str, Any]
                ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    import asyncio
    reader, writer = await asyncio.open_unix_connection(sock=_connect(Path(sock_path)),
                                                        limit=records.MAX_LINE)
    writer.write(records.encode(req))
    await writer.drain()
    return reader, writer


async def _call(sock_path: Path, req: dict[str, Any]) -> dict[str, Any]:
    reader, writer = await _open(sock_path, req)
    try:
        line = await reader.readline()
    finally:
        writer.close()
    if not line:
        raise Unavailable(f"{sock_path}: the monitor closed the connection ({req['op']})")
    return records.raise_reply(json.loads(line), f"monitor {req['op']}")


async def wait(sock_path: Path) -> dict[str, Any]:
    """``{"exit_code", "oom_killed", "finished_at", "error"}`` once the init has exited.

    A monitor that is gone, or exits just as we connect (refused, reset, EOF, a cut
    line), answers through exit.json; without one, exit code 255 with an error."""
    sock_path = Path(sock_path)
    line = b""
    try:
        reader, writer = await _open(sock_path, {"op": "wait"})
    except (FailedPrecondition, Unavailable, ConnectionError):
        pass
    else:
        try:
            line = await reader.readline()
        except ConnectionError:
            pass
        finally:
            writer.close()
    if line.endswith(b"\n"):
        try:
            rec = json.loads(line)
        except ValueError:
            rec = None
        if isinstance(rec, dict):
            return rec
    rec = records.read_exit(sock_path.parent)
    return rec or records.exit_record(255, False, records.now_rfc3339(),
                                      "the container's monitor exited without an exit status")


async def start(sock_path: Path) -> int:
    """Release the init; its pid."""
    return int((await _call(sock_path, {"op": "start"}))["pid"])


async def signal(sock_path: Path, sig: int) -> None:
    await _call(sock_path, {"op": "signal", "signal": int(sig)})


async def resize(sock_path: Path, height: int, width: int) -> None:
    await _call(sock_path, {"op": "resize", "height": int(height), "width": int(width)})


async def open_attach(sock_path: Path, stdin: bool, stdout: bool, stderr: bool
                      ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A raw attach stream: read stdcopy-framed output (raw with a TTY), write stdin.

    ``writer.write_eof()`` ends the container's stdin when it was created with stdin_once.
    """
    reader, writer = await _open(sock_path, {"op": "attach", "stdin": stdin,
                                             "stdout": stdout, "stderr": stderr})
    line = await reader.readline()
    if not line:
        writer.close()
        raise Unavailable(f"{sock_path}: the monitor closed the attach connection")
    try:
        records.raise_reply(json.loads(line), "monitor attach")
    except Exception:
        writer.close()
        raise
    return reader, writer
