"""Exec instances: what ``docker exec`` creates, starts and inspects (moby's ExecConfig).

Records live in berthd's memory only, as in moby: an exec is a short-lived thing tied to
a running container, and clients read its exit code right after it ends (``docker exec``
and docker-py's ``exec_run`` call ``/exec/{id}/json`` once the stream closes). Exited
execs are kept for ``KEEP_EXITED`` seconds (moby's GC runs every 5 minutes) and dropped
with their container. Lifecycle: created → running (``start``) → exited (``ExitCode``);
a second ``start`` is a Conflict.
"""

from __future__ import annotations

import shlex
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from berth.errdefs import Conflict, InvalidArgument, NotFound

from .specgen import process as proc
from .store import new_id

KEEP_EXITED = 600.0


@dataclass
class ExecRecord:
    id: str
    container_id: str
    argv: list[str]
    env: list[str] = field(default_factory=list)
    workdir: str = ""
    user: str = ""
    privileged: bool = False
    tty: bool = False
    stdin: bool = False
    stdout: bool = True
    stderr: bool = True
    detach_keys: str = ""
    console_size: list[int] | None = None
    started: bool = False
    running: bool = False
    exit_code: int | None = None
    pid: int = 0
    ended_at: float = 0.0
    internal: bool = False  # a health probe: not listed in the container's ExecIDs

    def cmdline(self) -> str:
        return " ".join(shlex.quote(a) if not a or any(c.isspace() for c in a) else a
                        for a in self.argv)

    def inspect(self) -> dict[str, Any]:
        """moby's ExecInspect shape."""
        pc: dict[str, Any] = {"tty": self.tty, "entrypoint": self.argv[0],
                              "arguments": self.argv[1:], "privileged": self.privileged}
        if self.user:
            pc["user"] = self.user
        return {"ID": self.id, "Running": self.running, "ExitCode": self.exit_code,
                "ProcessConfig": pc, "OpenStdin": self.stdin, "OpenStderr": self.stderr,
                "OpenStdout": self.stdout, "CanRemove": self.started and not self.running,
                "ContainerID": self.container_id, "DetachKeys": self.detach_keys,
                "Pid": self.pid}


def from_config(container_id: str, cfg: dict[str, Any]) -> ExecRecord:
    """An ExecRecord from a ``POST /containers/{id}/exec`` body (checked like moby)."""
    if not isinstance(cfg, dict):
        raise InvalidArgument("exec config must be a JSON object")
    argv = cfg.get("Cmd")
    if isinstance(argv, str):
        argv = [argv]
    if not argv or not isinstance(argv, list) or not all(isinstance(a, str) for a in argv):
        raise InvalidArgument("No exec command specified")
    env = cfg.get("Env") or []
    proc.check_env(env)
    wd = cfg.get("WorkingDir") or ""
    proc.check_workdir(wd)
    size = cfg.get("ConsoleSize")
    return ExecRecord(
        id=new_id(), container_id=container_id, argv=list(argv), env=list(env), workdir=wd,
        user=str(cfg.get("User") or ""), privileged=bool(cfg.get("Privileged")),
        tty=bool(cfg.get("Tty")), stdin=bool(cfg.get("AttachStdin")),
        stdout=bool(cfg.get("AttachStdout")), stderr=bool(cfg.get("AttachStderr")),
        detach_keys=str(cfg.get("DetachKeys") or ""),
        console_size=[int(x) for x in size] if isinstance(size, list) and len(size) == 2
        else None)


class ExecStore:
    """Thread-safe table of exec records (the API calls from its thread pool)."""

    def __init__(self, clock: Any = time.monotonic) -> None:
        self._recs: dict[str, ExecRecord] = {}
        self.lock = threading.Lock()
        self.clock = clock

    def add(self, rec: ExecRecord) -> None:
        with self.lock:
            self._gc()
            self._recs[rec.id] = rec

    def get(self, exec_id: str) -> ExecRecord:
        with self.lock:
            rec = self._recs.get(exec_id)
        if rec is None:
            raise NotFound(f"No such exec instance: {exec_id}")
        return rec

    def claim(self, exec_id: str) -> ExecRecord:
        """Mark an exec started (once): a second start is moby's Conflict."""
        rec = self.get(exec_id)
        with self.lock:
            if rec.running:
                raise Conflict(f"Error: Exec command {exec_id} is already running")
            if rec.started:
                raise Conflict(f"Error: Exec command {exec_id} has already run")
            rec.started = True
        return rec

    def finish(self, rec: ExecRecord, code: int) -> None:
        with self.lock:
            rec.running, rec.exit_code, rec.pid = False, code, 0
            rec.ended_at = self.clock()

    def running_ids(self, container_id: str) -> list[str]:
        with self.lock:
            return [r.id for r in self._recs.values()
                    if r.container_id == container_id and not r.internal
                    and r.exit_code is None]

    def drop_container(self, container_id: str) -> None:
        with self.lock:
            for eid in [k for k, r in self._recs.items() if r.container_id == container_id]:
                del self._recs[eid]

    def _gc(self) -> None:
        now = self.clock()
        for eid in [k for k, r in self._recs.items()
                    if r.exit_code is not None and now - r.ended_at > KEEP_EXITED]:
            del self._recs[eid]
