"""What the container service needs from its collaborators (structural types).

``Networks`` and ``Volumes`` are the seams the networking and volume services plug into
(``docs/design/containers-service.md``, "Networks and volumes"); ``defaults`` has the
behaviour berth had before them (a private netns holding ``lo``; binds and tmpfs only).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

Publish = Callable[[str, str, str, dict[str, str]], Any]  # (type, action, id, attrs)


class Spawner(Protocol):
    """berth.monitor's spawner client: one JSON request → the spawner's reply dict
    (``{"ok": true, "monitor_pid"}`` or ``{"ok": false, "error", "exit_code"}``); an
    implementation may raise a BerthError carrying ``exit_code`` instead."""

    async def spawn(self, request: dict[str, Any]) -> dict[str, Any]: ...


@dataclass
class NetPlan:
    """What a start needs from networking: the network namespace to join (a path such as
    ``/run/berth/netns/<id>`` or ``/proc/<pid>/ns/net``; None: a new one, or the host's
    with ``NetworkMode=host``), the files to bind over /etc ({container path: host path})
    and environment networking adds (legacy ``--link`` variables; ``Config.Env`` wins).
    ``plumb``: kernel work left to do before the container's process may run (its veths,
    addresses and routes); the start runs it while the runtime creates the container."""

    netns: str | None = None
    etc: dict[str, str] = field(default_factory=dict)
    env: list[str] = field(default_factory=list)
    plumb: Callable[[], None] | None = None


class Networks(Protocol):
    """Container networking as the container service drives it. Blocking methods (run on
    the thread pool); each is idempotent so a crash between steps can be retried."""

    def check_create(self, rec: dict[str, Any]) -> None:
        """Validate NetworkMode/NetworkingConfig/PortBindings/Dns…; store what inspect shows
        before the first start. Raise InvalidArgument/NotFound with docker's message."""

    def attach(self, rec: dict[str, Any], ctr_dir: Path) -> NetPlan:
        """At every start, before the bundle is made: namespace, endpoints, ports, /etc
        files. On error everything made here is undone."""

    def detach(self, rec: dict[str, Any]) -> None:
        """After the container exited or failed to start (also for exits learnt on daemon
        start): endpoints, addresses, port rules and the namespace go."""

    def forget(self, rec: dict[str, Any]) -> None:
        """The container is removed: drop what ``check_create`` stored."""

    def recover(self, live: Collection[str]) -> None:
        """Daemon start, before exits are recorded: ``live`` are the containers whose
        monitors still run; anything else networking holds is released."""

    def settings(self, rec: dict[str, Any]) -> dict[str, Any]:
        """``NetworkSettings`` as container inspect shows it."""


class Volumes(Protocol):
    """Mounts the user asked for (binds, named/anonymous volumes, tmpfs, volumes-from)."""

    def check_create(self, rec: dict[str, Any]) -> None:
        """Validate and resolve the mount requests, creating the volumes they name; the
        result is kept in the record (``MountPoints``). Nothing is created on error."""

    def mount(self, rec: dict[str, Any], rootfs: Path) -> list[dict[str, Any]]:
        """At every start: the OCI mounts (depth-ordered) for the user's mounts, after
        making sources ready (driver mounts, copy-up from ``rootfs``)."""

    def unmount(self, rec: dict[str, Any]) -> None:
        """After the container exited or failed to start; idempotent."""

    def release(self, rec: dict[str, Any], remove_anonymous: bool) -> None:
        """The container is removed (or its create failed): drop its references and,
        with ``remove_anonymous``, its anonymous volumes."""

    def mounts_view(self, rec: dict[str, Any]) -> list[dict[str, Any]]:
        """``Mounts`` as inspect and ``ps`` show them."""
