"""docker CLI checks of events, top, pause/unpause, rename, diff, port and container prune.

One daemon per module; every test removes what it made.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from typing import Any

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.root,
              pytest.mark.skipif(os.geteuid() != 0, reason="containers need root"),
              pytest.mark.skipif(shutil.which("docker") is None, reason="no docker CLI"),
              pytest.mark.usefixtures("clean_containers")]  # `d`: tests/e2e/conftest.py


def events(d: Any, since: float, *filters: str) -> list[dict[str, Any]]:
    args = ["events", "--since", f"{since:.3f}", "--until", f"{time.time() + 0.5:.3f}",
            "--format", "{{json .}}"]
    for f in filters:
        args += ["--filter", f]
    out = d.docker(*args, timeout=30).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_events_during_run(d: Any) -> None:
    t0 = time.time() - 1
    d.docker("run", "--rm", "--name", "ev1", "busybox", "sh", "-c", "exit 3", check=False)
    evs = events(d, t0, "container=ev1")
    actions = [e["Action"] for e in evs]
    assert actions == ["create", "attach", "start", "die", "destroy"]
    die = evs[3]
    assert die["Type"] == "container"
    assert die["Actor"]["Attributes"]["exitCode"] == "3"
    assert die["Actor"]["Attributes"]["name"] == "ev1"
    assert die["Actor"]["Attributes"]["image"] == "busybox"
    text = d.docker("events", "--since", f"{t0:.3f}", "--until", f"{time.time():.3f}",
                    "--filter", "container=ev1", "--filter", "event=die").stdout
    assert "container die" in text and "exitCode=3" in text and "name=ev1" in text


def test_events_stop_kill_rename_pause(d: Any) -> None:
    t0 = time.time() - 1
    cid = d.docker("run", "-d", "--name", "ev2", "busybox", "sleep", "60").stdout.strip()
    d.docker("pause", "ev2")
    d.docker("unpause", "ev2")
    d.docker("rename", "ev2", "ev3")
    d.docker("kill", "-s", "USR1", "ev3")
    d.docker("stop", "-t", "1", "ev3")
    d.docker("restart", "-t", "1", "ev3")
    evs = events(d, t0, f"container={cid}")  # by id: the name filter matches the name
    acts = [e["Action"] for e in evs]
    for a in ("pause", "unpause", "rename", "kill", "die", "stop", "start", "restart"):
        assert a in acts, acts
    ren = next(e for e in evs if e["Action"] == "rename")
    assert ren["Actor"]["Attributes"]["oldName"] == "/ev2"
    kill = next(e for e in evs if e["Action"] == "kill")
    assert kill["Actor"]["Attributes"]["signal"] == "10"


def test_top_columns(d: Any) -> None:
    d.docker("run", "-d", "--name", "tp", "busybox", "sleep", "60")
    out = d.docker("top", "tp").stdout.splitlines()
    assert out[0].split() == ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"]
    assert len(out) == 2 and out[1].split()[0] == "root" and "sleep 60" in out[1]
    aux = d.docker("top", "tp", "aux").stdout.splitlines()
    assert aux[0].split()[:2] == ["USER", "PID"] and len(aux) == 2


def test_pause_shows_in_ps(d: Any) -> None:
    d.docker("run", "-d", "--name", "pz", "busybox", "sleep", "60")
    d.docker("pause", "pz")
    st = d.docker("ps", "--format", "{{.Status}}", "--filter", "name=pz").stdout.strip()
    assert st.startswith("Up ") and st.endswith("(Paused)")
    res = d.docker("pause", "pz", check=False)
    assert "is already paused" in res.stderr
    d.docker("unpause", "pz")
    st = d.docker("ps", "--format", "{{.Status}}", "--filter", "name=pz").stdout.strip()
    assert "Paused" not in st


def test_rename(d: Any) -> None:
    d.docker("create", "--name", "rn1", "busybox", "true")
    d.docker("create", "--name", "rn2", "busybox", "true")
    res = d.docker("rename", "rn1", "rn2", check=False)
    assert res.returncode == 1 and "is already in use" in res.stderr
    d.docker("rename", "rn1", "rn3")
    assert d.docker("ps", "-a", "--format", "{{.Names}}", "--filter",
                    "name=rn3").stdout.strip() == "rn3"


def test_diff(d: Any) -> None:
    d.docker("run", "--name", "df", "busybox", "sh", "-c",
             "echo x > /file; mkdir -p /etc/new; rm /bin/true")
    lines = set(d.docker("diff", "df").stdout.splitlines())
    assert {"A /file", "C /etc", "A /etc/new", "C /bin", "D /bin/true"} <= lines


def test_port_without_bindings(d: Any) -> None:
    d.docker("run", "-d", "--name", "pt", "busybox", "sleep", "60")
    res = d.docker("port", "pt")
    assert res.stdout == ""
    res = d.docker("port", "pt", "80", check=False)
    assert res.returncode == 1 and "No public port '80' published for pt" in res.stderr


def test_container_prune(d: Any) -> None:
    cid = d.docker("create", "busybox", "true").stdout.strip()
    d.docker("run", "-d", "--name", "keep", "busybox", "sleep", "60")
    out = d.docker("container", "prune", "-f").stdout
    assert out.startswith(f"Deleted Containers:\n{cid}\n\nTotal reclaimed space: ")
    assert d.docker("ps", "-aq", "--no-trunc").stdout.split() == \
        [d.docker("inspect", "-f", "{{.Id}}", "keep").stdout.strip()]
    assert d.docker("container", "prune", "-f").stdout == "Total reclaimed space: 0B\n"
