"""Small process helpers: timed commands, readiness checks, and leaving nothing behind."""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path


class CommandFailed(RuntimeError):
    """A command exited non-zero; the message carries the tail of its stderr."""


def run(cmd: Sequence[str], env: Mapping[str, str] | None = None, timeout: float = 600,
        check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run ``cmd`` capturing output; raise CommandFailed with stderr's tail when it fails."""
    p = subprocess.run(list(cmd), env=dict(env) if env else None, timeout=timeout, text=True,
                       stdin=subprocess.DEVNULL, capture_output=True, check=False)
    if check and p.returncode != 0:
        tail = (p.stderr or p.stdout).strip().splitlines()[-3:]
        raise CommandFailed(f"{Path(cmd[0]).name} {cmd[1] if len(cmd) > 1 else ''}: "
                            f"exit {p.returncode}: {' | '.join(tail)}"[:300])
    return p


def timed(cmd: Sequence[str], env: Mapping[str, str] | None = None, timeout: float = 600) -> float:
    """Milliseconds of wall time for ``cmd`` (fork+exec included, as a shell user sees it)."""
    t0 = time.perf_counter()
    p = subprocess.run(list(cmd), env=dict(env) if env else None, timeout=timeout,
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, check=False)
    ms = (time.perf_counter() - t0) * 1000
    if p.returncode != 0:
        tail = p.stderr.decode(errors="replace").strip().splitlines()[-3:]
        raise CommandFailed(f"{Path(cmd[0]).name}: exit {p.returncode}: {' | '.join(tail)}"[:300])
    return ms


def ping(sock: Path, timeout: float = 2.0) -> bool:
    """True when an Engine API answers ``GET /_ping`` with 200 on the unix socket ``sock``."""
    conn = http.client.HTTPConnection("localhost", timeout=timeout)
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        s.connect(str(sock))
        conn.sock = s
        conn.request("GET", "/_ping")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


def wait_ready(sock: Path, proc: subprocess.Popen[bytes], deadline: float) -> None:
    """Wait until ``sock`` answers pings; raise if ``proc`` dies or the deadline passes."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise CommandFailed(f"exited with {proc.returncode} before answering on {sock}")
        if sock.exists() and ping(sock):
            return
        time.sleep(0.05)
    raise CommandFailed(f"no answer on {sock} after {deadline:.0f}s")


def children(pid: int) -> list[int]:
    """Direct children of ``pid`` (from /proc/<pid>/task/*/children)."""
    kids: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            kids += [int(x) for x in (task / "children").read_text().split()]
    return kids


def descendants(pid: int) -> list[int]:
    """Every process below ``pid``, parents before children."""
    out, todo = [], [pid]
    while todo:
        for kid in children(todo.pop()):
            out.append(kid)
            todo.append(kid)
    return out


def alive(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def stop(proc: subprocess.Popen[bytes], grace: float = 20.0) -> None:
    """SIGTERM ``proc`` and its descendants, wait ``grace`` seconds, then SIGKILL what is left."""
    if proc.poll() is not None:
        return
    tree = descendants(proc.pid)
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)
    for pid in tree:
        if alive(pid):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


def mounts_under(root: Path) -> list[str]:
    """Mount points at or below ``root``, deepest first (from /proc/self/mountinfo)."""
    prefix = str(root.resolve())
    found = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        point = line.split()[4].replace("\\040", " ")
        if point == prefix or point.startswith(prefix + "/"):
            found.append(point)
    return sorted(set(found), key=lambda p: p.count("/"), reverse=True)


def unmount_all(root: Path) -> None:
    """Lazily unmount everything mounted under ``root`` (daemons leave overlays and netns)."""
    for point in mounts_under(root):
        subprocess.run(["umount", "-l", point], check=False, capture_output=True)


def remove_tree(root: Path) -> None:
    """Unmount what is mounted below ``root``, then delete it."""
    if not root.exists():
        return
    unmount_all(root)
    shutil.rmtree(root, ignore_errors=True)
    if root.exists():  # immutable or busy leftovers: try the blunt tool once
        subprocess.run(["rm", "-rf", "--one-file-system", str(root)], check=False)


CGROUP_ROOT = Path("/sys/fs/cgroup")


def remove_cgroups(name: str, cgroup_root: Path = CGROUP_ROOT) -> None:
    """rmdir the cgroup ``name`` (and its children) in every hierarchy; ignore busy ones."""
    for hierarchy in cgroup_root.iterdir():
        top = hierarchy / name.strip("/")
        if not top.is_dir():
            continue
        dirs = sorted((p for p in top.rglob("*") if p.is_dir()), key=lambda p: len(p.parts),
                      reverse=True)
        for d in [*dirs, top]:
            with contextlib.suppress(OSError):
                d.rmdir()
