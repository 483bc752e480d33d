"""``docker exec`` in the container service: create, start, resize, inspect.

start: claim the record → build the OCI process from the bundle (thread) → the spawner
forks an exec monitor (``"op": "exec"``; docs/design/containers.md) whose monitor.sock
is ``<exec-root>/containers/<cid>/execs/<exec-id>/monitor.sock`` → attach (unless
detached) → monitor ``start`` (the process is made now, so no output is lost) → a
watcher task awaits the monitor's ``wait``, records ``ExitCode``, publishes
``exec_die`` and removes the exec's dir. Events: ``exec_create: <cmd>``,
``exec_start: <cmd>``, ``exec_die`` (``execID``, ``exitCode``), as moby names them.

A process that cannot start (missing binary → 127, not executable → 126) gets moby's
``OCI runtime exec failed: …`` text: written into the attached stream (moby writes it
to the client's stdout), or raised when detached; ``ExitCode`` is set either way.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from pathlib import Path
from typing import Any

from berth._util.fsutil import remove_tree
from berth.errdefs import BerthError, Conflict, InvalidArgument
from berth.monitor import client as mclient
from berth.monitor import records

from . import execspec
from ._base import ServiceBase, log
from .execs import ExecRecord, ExecStore, from_config
from .streams import ErrorStream

RESIZE_TIMEOUT = 10.0


class ExecMixin(ServiceBase):
    @property
    def execs(self) -> ExecStore:
        store: ExecStore | None = self.__dict__.get("_exec_store")
        if store is None:
            store = self.__dict__.setdefault("_exec_store", ExecStore())
        return store

    def exec_dir(self, ex: ExecRecord) -> Path:
        return self.state_dir(ex.container_id) / "execs" / ex.id

    def _running(self, ref: str) -> dict[str, Any]:
        rec = self.get(ref)
        st, cid = rec["State"]["Status"], rec["ID"]
        if st == "paused":
            raise Conflict(f"container {cid} is paused, unpause the container before exec")
        if st == "restarting":
            raise Conflict(f"container {cid} is restarting, wait until the container is "
                           "running")
        if st != "running" or cid in self._starting:
            raise Conflict(f"container {cid} is not running")
        return rec

    # -- the ExecBackend -------------------------------------------------------------------
    def exec_create(self, container_id: str, config: dict[str, Any],
                    internal: bool = False) -> str:
        ex = from_config(self.get(container_id)["ID"], config)  # bad input first
        rec = self._running(container_id)
        ex.internal = internal
        self.execs.add(ex)
        self.publish(f"exec_create: {ex.cmdline()}", rec, execID=ex.id)
        return ex.id

    def exec_inspect(self, exec_id: str) -> dict[str, Any]:
        ex = self.execs.get(exec_id)
        if ex.running:  # the watcher may not have seen the exit yet: the monitor's file
            done = records.read_exit(self.exec_dir(ex))
            if done is not None and ex.running:
                self.execs.finish(ex, int(done.get("exit_code", 255)))
        return ex.inspect()

    def exec_resize(self, exec_id: str, height: int, width: int) -> None:
        ex = self.execs.get(exec_id)
        if not ex.running:
            raise Conflict(f"Exec {exec_id} is not running")
        loop = self._loop
        if loop is None or loop.is_closed():
            raise Conflict(f"Exec {exec_id} is not running")
        coro = mclient.resize(self.exec_dir(ex) / records.SOCK_FILE, height, width)
        asyncio.run_coroutine_threadsafe(coro, loop).result(RESIZE_TIMEOUT)

    async def exec_start(self, exec_id: str, detach: bool = False, tty: bool | None = None,
                         console_size: list[int] | None = None) -> Any:
        ex = self.execs.claim(exec_id)
        if tty is not None:
            ex.tty = bool(tty)
        if console_size and len(console_size) == 2:
            ex.console_size = [int(console_size[0]), int(console_size[1])]
        try:
            rec = self._running(ex.container_id)
            sock = await self._exec_spawn(rec, ex)
        except BaseException:
            if ex.exit_code is None:
                self.execs.finish(ex, 126)
            raise
        pair = None
        try:
            if not detach:
                pair = await mclient.open_attach(sock, ex.stdin, ex.stdout, ex.stderr)
            ex.pid = await mclient.start(sock)
        except BerthError as e:
            if pair is None and not detach:  # the attach failed: nothing was started
                self._abandon(ex)
                raise
            return self._exec_failed(rec, ex, e, pair, detach)
        except BaseException:  # cancelled (a health check being stopped) or the like
            self._abandon(ex)
            if pair is not None:
                pair[1].close()
            raise
        ex.running = True
        self.publish(f"exec_start: {ex.cmdline()}", rec, execID=ex.id)
        self.bind_loop().create_task(self._exec_watch(rec, ex))
        return pair

    # -- internals -------------------------------------------------------------------------
    async def _exec_spawn(self, rec: dict[str, Any], ex: ExecRecord) -> Path:
        loop, cid = self.bind_loop(), rec["ID"]
        state_dir = self.exec_dir(ex)

        def prepare() -> dict[str, Any]:
            spec = execspec.load_spec(self.state_dir(cid))
            process = execspec.build(spec, self.rootfs(cid), ex)
            state_dir.mkdir(parents=True, exist_ok=True)
            return process
        try:
            process = await loop.run_in_executor(None, prepare)
        except BerthError as e:  # e.g. an unknown user: moby's 126-style start failure
            raise InvalidArgument(_oci_message(e.message)) from None
        spawn = asyncio.ensure_future(self.spawner.spawn({
            "op": "exec", "id": cid, "exec_id": ex.id, "runtime_root": str(self.runtime_root),
            "state_dir": str(state_dir), "process": process, "tty": ex.tty,
            "stdin": ex.stdin, "stdin_once": True, "console_size": ex.console_size,
            "seccomp_cache": str(self.seccomp_cache)}))
        try:
            reply = await asyncio.shield(spawn)
        except asyncio.CancelledError:  # the monitor may come up later: end it then
            spawn.add_done_callback(lambda f: self._abandon(ex))
            raise
        if not reply.get("ok"):
            await loop.run_in_executor(None, remove_tree, state_dir)
            raise records.error_from_reply(reply, "exec: ")
        return state_dir / records.SOCK_FILE

    def _abandon(self, ex: ExecRecord) -> None:
        """An exec monitor that will never get ``start``: end it now (it has no process,
        so SIGKILL loses nothing) instead of leaving it to its start timeout."""
        state_dir = self.exec_dir(ex)
        pid = records.read_pid(state_dir)
        if pid is not None and records.start_time(pid[0]) == pid[1] \
                and records.read_exit(state_dir) is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid[0], signal.SIGKILL)
        if ex.exit_code is None:
            self.execs.finish(ex, 126)
        remove_tree(state_dir)

    def _exec_failed(self, rec: dict[str, Any], ex: ExecRecord, e: BerthError,
                     pair: Any, detach: bool) -> Any:
        code = int(getattr(e, "exit_code", 0) or 126)
        self.execs.finish(ex, code if code in (126, 127) else 126)
        msg = _oci_message(e.message.removeprefix("monitor start: "))
        self.publish("exec_die", rec, execID=ex.id, exitCode=str(ex.exit_code))
        self.bind_loop().run_in_executor(None, remove_tree, self.exec_dir(ex))
        if pair is not None:
            with contextlib.suppress(Exception):
                pair[1].close()
        if detach:
            raise InvalidArgument(msg) if code in (126, 127) else BerthError(msg)
        return ErrorStream((msg + "\r\n").encode(), multiplexed=not ex.tty)

    async def _exec_watch(self, rec: dict[str, Any], ex: ExecRecord) -> None:
        state_dir = self.exec_dir(ex)
        try:
            rep = await mclient.wait(state_dir / records.SOCK_FILE)
            if ex.running:
                self.execs.finish(ex, int(rep.get("exit_code", 255)))
            self.publish("exec_die", rec, execID=ex.id, exitCode=str(ex.exit_code))
            await self.bind_loop().run_in_executor(None, remove_tree, state_dir)
        except Exception:
            log.exception("exec %s of %s", ex.id[:12], rec["ID"][:12])


def _oci_message(msg: str) -> str:
    return ("OCI runtime exec failed: exec failed: unable to start container process: "
            f"{msg}: unknown")
