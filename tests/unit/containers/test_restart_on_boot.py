"""Which exited containers berthd starts again when it starts (moby's restore)."""

from __future__ import annotations

from typing import Any

import pytest

from berth.containers.exits import restart_on_boot


def rec(policy: str, code: int = 1, count: int = 0, limit: int = 0, started: bool = True,
        manual: bool = False) -> dict[str, Any]:
    return {"HostConfig": {"RestartPolicy": {"Name": policy, "MaximumRetryCount": limit}},
            "State": {"ExitCode": code}, "RestartCount": count,
            "HasBeenStartedBefore": started, "HasBeenManuallyStopped": manual}


@pytest.mark.parametrize("r, want", [
    (rec("no"), False),
    (rec("always", manual=True), True),
    (rec("always", started=False), False),
    (rec("unless-stopped"), True),
    (rec("unless-stopped", manual=True), False),
    (rec("on-failure", code=0), False),
    (rec("on-failure", code=3), True),
    (rec("on-failure", code=3, count=2, limit=2), False),
    (rec("on-failure", code=3, count=1, limit=2), True),
])
def test_restart_on_boot(r: dict[str, Any], want: bool) -> None:
    assert restart_on_boot(r) is want
