"""``ps``, ``images`` and ``inspect`` with 1 and with 100 running containers.

Setup starts N ``busybox sleep`` containers (``--network none``) in dockerd and in berthd
through the Engine API (untimed); each repetition then times ``ps`` (running containers, the
default listing), ``images`` and ``inspect`` of one container by name, through the docker CLI
against dockerd (``docker``), the berth CLI against berthd (``berth``) and the docker CLI
against berthd (``docker@berthd``, where the CLI's start-up cancels out). podman is left out:
it has no daemon whose listing cost grows with the containers it supervises.
"""

from __future__ import annotations

from typing import ClassVar

from bench.api import Api
from bench.clis import Cli, clis
from bench.context import Context
from bench.core import Row, Sample
from bench.proc import timed

FIRST = "bench-list-0"


class ListContainers(Row):
    """Listing verbs with ``count`` running containers present."""

    count: ClassVar[int] = 1
    subjects = ("berth", "docker@berthd")
    references = ("docker",)
    order = 42

    def setup(self, ctx: Context) -> dict[str, str]:
        self.clis: dict[str, Cli]
        self.clis, reasons = clis(ctx, self.engines)
        self.apis: list[Api] = []
        self.started: dict[Api, list[str]] = {}
        daemons = {id(c.daemon): c.daemon for c in self.clis.values()}
        for daemon in daemons.values():
            api = Api(daemon.sock)
            self.apis.append(api)
            self.started[api] = []
            for i in range(self.count):
                made = api.call("POST", f"/containers/create?name=bench-list-{i}",
                                {"Image": "busybox", "Cmd": ["sleep", "100000"],
                                 "HostConfig": {"NetworkMode": "none"}})
                self.started[api].append(made["Id"])
                api.call("POST", f"/containers/{made['Id']}/start")
            listed = api.call("GET", "/containers/json")
            if len(listed) != self.count:
                raise RuntimeError(f"{daemon.sock}: {len(listed)} running, not {self.count}")
        return reasons

    def measure(self, engine: str) -> Sample:
        c = self.clis[engine]
        return {verb: timed(c.argv(*args), env=c.env, timeout=60)
                for verb, args in (("ps", ("ps",)), ("images", ("images",)),
                                   ("inspect", ("inspect", FIRST)))}

    def teardown(self) -> None:
        for api in getattr(self, "apis", []):
            for cid in self.started.get(api, []):
                try:
                    api.call("DELETE", f"/containers/{cid}?force=1")
                except Exception:  # the engine's close removes whatever is left
                    pass
            api.close()


class ListOne(ListContainers):
    """With 1 running container."""

    name = "list_1"
    title = "ps / images / inspect with 1 running container"
    count = 1
    repeat = 10
    quick_repeat = 3


class ListHundred(ListContainers):
    """With 100 running containers."""

    name = "list_100"
    title = "ps / images / inspect with 100 running containers"
    count = 100
    repeat = 10
    quick_repeat = 3
    in_quick = False
    order = 43
    target = "docker ps against berthd no slower than against dockerd (issue 4)"


ROWS = [ListOne, ListHundred]
