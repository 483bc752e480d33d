"""Files a monitor leaves in the container's exec-root dir, and JSON-line framing.

``monitor.pid`` holds ``"<pid> <starttime>"`` so a recycled pid is not taken for the
monitor; ``exit.json`` holds ``{"exit_code", "oom_killed", "finished_at", "error"}`` and is
written atomically once the init has exited. Both are read by berthd (``client``).
"""

from __future__ import annotations

import json
import os
import time

from berth.errdefs import BerthError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

PID_FILE = "monitor.pid"
SOCK_FILE = "monitor.sock"
EXIT_FILE = "exit.json"
MAX_LINE = 1 << 16


def write_atomic(path: str | os.PathLike[str], data: bytes, durable: bool = True) -> None:
    """temp + rename: a crash leaves the old file or the new one. ``durable`` adds the
    fsyncs (file, then directory) that make it survive a power loss too. Plain ``os``
    calls on strings: the monitor runs this, and pathlib would copy pages (monitor.md)."""
    path = os.fspath(path)
    head, _, name = path.rpartition("/")
    tmp = f"{head}/.{name}.{os.getpid()}.tmp" if head else f".{name}.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
    try:
        os.write(fd, data)
        if durable:
            os.fsync(fd)
    finally:
        os.close(fd)
    os.rename(tmp, path)
    if not durable:
        return
    dfd = os.open(head or ".", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)


def start_time(pid: int) -> int | None:
    """The process's start time in clock ticks, or None if it is gone or a zombie."""
    try:
        fd = os.open(f"/proc/{pid}/stat", os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        raw = os.read(fd, 4096)
    except OSError:
        return None
    finally:
        os.close(fd)
    fields = raw[raw.rindex(b")") + 2:].split()
    if fields[0] in (b"Z", b"X"):
        return None
    return int(fields[19])


def write_pid(state_dir: str | os.PathLike[str], pid: int) -> None:
    """Not fsync'ed: it names a live process, which no power loss leaves alive; a
    berthd killed with -9 reads it from the page cache."""
    write_atomic(f"{os.fspath(state_dir)}/{PID_FILE}", f"{pid} {start_time(pid) or 0}".encode(),
                 durable=False)


def _read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def read_pid(state_dir: str | os.PathLike[str]) -> tuple[int, int] | None:
    """(pid, start time) from monitor.pid, or None if absent or unreadable."""
    try:
        pid, start = _read(f"{os.fspath(state_dir)}/{PID_FILE}").split()
        return int(pid), int(start)
    except (OSError, ValueError):
        return None


def now_rfc3339() -> str:
    """Go's RFC3339Nano (UTC, trailing zeros trimmed), as docker prints FinishedAt."""
    from berth.monitor.logs.timefmt import format_ns
    return format_ns(time.time_ns())


def exit_record(code: int, oom: bool, finished_at: str, error: str = "") -> dict[str, Any]:
    return {"exit_code": code, "oom_killed": oom, "finished_at": finished_at, "error": error}


def write_exit(state_dir: str | os.PathLike[str], record: dict[str, Any]) -> None:
    """Not fsync'ed (it is on every container's exit path, before waiters are answered):
    the exec root is a tmpfs on a normal host (/run/berth), and a berthd killed meanwhile
    reads it from the page cache. After a power loss with the exec root on a disk, a
    missing or stale exit.json reads as exit code 255, as a monitor that died would."""
    write_atomic(f"{os.fspath(state_dir)}/{EXIT_FILE}", json.dumps(record).encode(),
                 durable=False)


def read_exit(state_dir: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The exit record, or None if the container has not exited (or no monitor wrote it)."""
    try:
        data = json.loads(_read(f"{os.fspath(state_dir)}/{EXIT_FILE}"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as e:
        return exit_record(255, False, "", f"exit.json unreadable: {e}")
    return data if isinstance(data, dict) else None


def encode(msg: dict[str, Any]) -> bytes:
    return json.dumps(msg, separators=(",", ":")).encode() + b"\n"


def error_reply(e: BaseException) -> dict[str, Any]:
    """A failure as a reply line: message, errdefs kind, and an exit code for the runtime's."""
    if isinstance(e, BerthError):
        kind, msg = type(e).__name__, e.message
    elif isinstance(e, OSError):
        kind, msg = "Unavailable", f"{e.strerror or e}"
    else:
        kind, msg = "BerthError", f"{type(e).__name__}: {e}"
    return {"ok": False, "error": msg, "kind": kind, "exit_code": getattr(e, "code", 1)}


def raise_reply(reply: dict[str, Any], what: str) -> dict[str, Any]:
    """Return an ok reply; turn an error reply into the matching errdefs exception."""
    if reply.get("ok", True):
        return reply
    raise error_from_reply(reply, f"{what}: ")


def error_from_reply(reply: dict[str, Any], prefix: str = "") -> BerthError:
    """The errdefs exception an error reply stands for (``kind``), keeping its exit code
    (as ``exit_code``, and as ``code`` so ``error_reply`` gives the same reply back)."""
    from berth import errdefs
    cls = getattr(errdefs, str(reply.get("kind")), None)
    if not (isinstance(cls, type) and issubclass(cls, errdefs.BerthError)):
        cls = errdefs.BerthError
    err = cls(f"{prefix}{reply.get('error', 'failed')}")
    err.exit_code = int(reply.get("exit_code") or 1)  # type: ignore[attr-defined]
    err.code = err.exit_code  # type: ignore[attr-defined]
    return err
